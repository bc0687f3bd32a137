"""Benchmark harness (not part of make test pass/fail; its smoke run is)."""
