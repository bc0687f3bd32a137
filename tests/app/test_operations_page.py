"""The Operations page and the home page's stale-data banner as a user meets them (AppTest), on demo data."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from syncstatus import db, operations
from syncstatus.schema import center, sync_job
from tests.app.conftest import open_page, rendered, texts
from tests.conftest import DEMO_END

RANGE = {"date_from": (DEMO_END - timedelta(days=30)).isoformat(), "date_to": DEMO_END.isoformat()}
FLAG = "will stay pending: the maintenance job is not enabled for this center"


def frames(at) -> list:
    return [d.value.data if hasattr(d.value, "data") else d.value for d in at.dataframe]


def frame_with(at, column: str):
    found = [df for df in frames(at) if column in df.columns]
    assert found, f"no table with a {column!r} column"
    return found[0]


def centers_without_maintenance(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(center.c.code, center.c.name).join(sync_job, sync_job.c.center_id == center.c.id)
            .where(sync_job.c.job == "maintenance", sync_job.c.enabled.is_(False)).order_by(center.c.code))]


@pytest.fixture
def clock(monkeypatch):
    """Pin the pages' clock (db.utcnow) to a moment relative to the demo data."""
    def pin(moment: datetime):
        monkeypatch.setattr(db, "utcnow", lambda: moment)
    return pin


def test_the_center_without_a_maintenance_job_is_flagged_with_its_deleted_pending_orders(app_db):
    missing = centers_without_maintenance(app_db)
    assert missing, "the demo data has a center without the maintenance job"
    at = open_page("operations", params=RANGE)
    assert not at.exception
    errors = [rendered(e.value) for e in at.error]
    for _code, name in missing:
        assert any(name in e and FLAG in e for e in errors), errors
    orders = frame_with(at, "Deleted orders pending (all dates)")
    flagged = orders[orders["Flag"].str.contains("will stay pending")]
    assert sorted(flagged["Center"]) == sorted(name for _c, name in missing)
    assert (flagged["Maintenance job"] == "Not enabled").all()
    assert (flagged["Deleted orders pending (all dates)"] > 0).all()
    jobs = frame_with(at, "Last run started (UTC)")
    assert set(jobs["Job"]) == {"Post-sale", "Refund", "Maintenance"}


def test_document_parameters_in_the_url_list_the_deleted_orders_waiting_for_maintenance(app_db):
    at = open_page("operations", params={**RANGE, "kind": "purchase_order", "status": "pending", "deleted": "1"})
    assert not at.exception
    docs = frame_with(at, "Order no")
    assert len(docs) > 0
    assert set(docs["Kind"]) == {"Purchase order"}
    assert set(docs["Status"]) == {"Pending"}
    assert docs["Deleted in point of sale (UTC)"].notna().all()
    assert "Order documents" in texts(at)


def test_show_these_orders_lists_the_flagged_centers_documents_and_close_takes_them_away(app_db):
    code, name = centers_without_maintenance(app_db)[0]
    at = open_page("operations", params=RANGE)
    assert not [f for f in frames(at) if "Order no" in f.columns]
    button = next(b for b in at.button if b.key.startswith("ops_alert_") and b.key.endswith(code))
    button.click().run()
    assert not at.exception
    assert at.query_params["order_center"] == code
    assert at.query_params["status"] == "pending" and at.query_params["deleted"] == "1"
    docs = frame_with(at, "Order no")
    assert set(docs["Center"]) == {name}
    assert docs["Response message"].str.contains("maintenance job").all()
    assert len(docs) == frame_with(at, "Flag").set_index("Center").loc[name, "Deleted orders pending (all dates)"]
    at.button(key="ops_close_documents").click().run()
    assert not at.exception
    assert "order_center" not in at.query_params and not [f for f in frames(at) if "Order no" in f.columns]


def test_bad_url_values_show_a_message_instead_of_a_traceback(app_db):
    at = open_page("operations", params={"kind": "<script>", "status": "'; DROP TABLE center; --",
                                         "date_from": "yesterday", "center": "../../etc"})
    assert not at.exception
    assert "unknown kind" in texts(at) and "unknown status" in texts(at)
    assert len(frame_with(at, "Deleted orders pending (all dates)")) > 0


def test_a_range_without_orders_still_shows_the_jobs_and_zero_counts(app_db):
    at = open_page("operations", params={"date_from": "2001-01-01", "date_to": "2001-01-31"})
    assert not at.exception
    orders = frame_with(at, "Purchase orders pending")
    assert int(orders[[c for c in orders.columns if c.endswith(("processed", "pending", "failed"))]].sum().sum()) == 0
    assert (orders["Deleted orders pending (all dates)"] > 0).any()  # the backlog does not depend on the dates


def test_jobs_are_judged_against_the_clock(app_db, clock):
    clock(datetime.combine(DEMO_END + timedelta(days=30), time(6)))
    late = frame_with(open_page("operations", params=RANGE), "Last run started (UTC)")
    enabled = late[late["Enabled"] == "Yes"]
    assert (enabled["Health"] == "Overdue").sum() + (enabled["Health"] == "Last run failed").sum() == len(enabled)


def test_the_home_page_warns_about_stale_centers_and_links_to_operations(app_db, clock, monkeypatch):
    clock(datetime.combine(DEMO_END + timedelta(days=10), time(6)))
    at = open_page("home")
    assert not at.exception
    warnings = [str(w.value) for w in at.warning]
    assert any(w.startswith("Data is stale for 6 centers") and "10 days old" in w for w in warnings), warnings
    monkeypatch.setenv("STALE_AFTER_DAYS", "30")
    at = open_page("home")
    assert not at.exception
    assert not [w for w in at.warning if "Data is stale" in str(w.value)]


def test_the_stale_banner_lists_only_centers_the_viewer_may_see(app_db, clock):
    clock(datetime.combine(DEMO_END + timedelta(days=10), time(6)))
    with app_db.connect() as conn:
        first = conn.execute(sa.select(center.c.code, center.c.name).order_by(center.c.id)).first()
    at = open_page("home", as_user=f"center.{first.code.lower()}")
    assert not at.exception
    warning = next(str(w.value) for w in at.warning if "Data is stale" in str(w.value))
    assert warning.startswith("Data is stale for 1 center:") and first.name in warning
    assert operations.stale_centers(app_db, (), DEMO_END, 2).empty


def test_the_overview_table_has_thousands_separators_and_counts_read_in_the_singular(app_db):
    import json

    with app_db.connect() as conn:
        first = conn.execute(sa.select(center.c.code).order_by(center.c.id)).first()
    at = open_page("home", as_user=f"center.{first.code.lower()}")
    assert not at.exception
    assert "1 center in your access" in texts(at)
    config = json.loads(at.dataframe[0].proto.columns)
    for status in ("Processed", "Pending", "Failed"):
        assert config[status]["type_config"]["format"] == "localized", config



def test_operations_shows_a_dash_never_a_literal_none_for_a_job_that_never_ran(app_db):
    import pandas as pd

    from syncstatus import exports

    at = open_page("operations", params=RANGE)
    assert not at.exception
    jobs = frame_with(at, "Last run started (UTC)")
    for df in frames(at):
        for column in df.columns:
            missing = [v for v in df[column] if v is None or (not isinstance(v, str) and pd.isna(v))]
            assert not missing, (column, df[column].tolist()[:5])
    never = jobs[jobs["Last run"] == "Never"]
    assert len(never) and (never["Last run started (UTC)"] == exports.MISSING).all()
