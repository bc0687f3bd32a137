"""The small load run (3 sessions, one import) on demand: `pytest -m long tests/reliability/test_load_small.py`.
The full run is `python -m bench.load` (20 sessions); its figures are in docs/RELIABILITY.md."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.long, pytest.mark.e2e]


def test_three_sessions_refreshing_and_drilling_during_an_import_see_no_errors_and_no_half_import(pg_server_url):
    from bench import load

    fig = load.run(sessions=3, rounds=2, admin_url=pg_server_url, import_invoices=40, centers=20)
    assert fig["errors"] == 0, fig["error_samples"]
    assert fig["alone_errors"] == 0, fig["alone_error_samples"]
    assert fig["reads"] == 6 and fig["drills"] == 3  # every session drills down in its second round
    assert fig["drill_p50_ms"] > 0 and fig["drill_p95_ms"] >= fig["drill_p50_ms"]
    assert fig["alone_refreshes"] >= 3 and fig["alone_drills"] >= 3  # the baseline is more than one sample
    assert fig["invariant_breaks"] == 0
    assert fig["import"]["exit_code"] == 0
    assert tuple(fig["totals_after"]) == tuple(fig["totals_after_expected"])
    assert set(map(tuple, fig["distinct_totals_seen"])) <= {tuple(fig["totals_before"]), tuple(fig["totals_after"])}
