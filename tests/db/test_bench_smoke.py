"""The benchmark harness at a tiny scale: every figure is produced with its baseline and ratio.

Timings at this scale say nothing about the targets (those are checked by `make bench`); this guards the
harness itself, so a full run does not fail after an hour of loading data.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from bench import run
from tests.conftest import create_pg_database, drop_pg_database


def test_the_smoke_run_measures_every_figure_against_its_baseline(pg_server_url, tmp_path):
    url = create_pg_database(pg_server_url, "syncstatus_bench_smoke")
    name = sa.engine.make_url(url).database
    try:
        code = run.main(["--smoke", "--no-browser", "--no-doc", "--out", str(tmp_path), "--pg-url", pg_server_url,
                         "--database", name, "--repeats", "3"])
        assert code == 0
        results = json.loads((tmp_path / "bench-smoke.json").read_text())
    finally:
        drop_pg_database(pg_server_url, url)
    for key in ("report_1d", "report_31d", "report_365d", "baseline_detail_365d", "baseline_daily_365d",
                "drilldown", "trends_365d_week", "sqlite_report_365d"):
        assert results[key]["median_ms"] > 0 and results[key]["p95_ms"] >= results[key]["median_ms"], key
    assert results["import_docs_per_s"]["value"] > 0
    assert results["raw_copy"]["rows"] == results["import_docs_per_s"]["rows_read"]   # the same rows
    assert 0 < results["import_vs_copy"]["ratio"]
    assert results["report_365d_vs_detail"]["ratio"] >= 0
    assert {t["figure"] for t in results["targets"]} >= {"report_365d", "drilldown", "import_vs_copy"}
