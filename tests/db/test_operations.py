"""The Operations rules (maintenance flags, job health, staleness) on constructed data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from syncstatus import operations
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import (
    center,
    import_center,
    import_run,
    job_run,
    stock_order,
    sync_daily,
    sync_document,
    sync_job,
    zone,
)

NOW = datetime(2026, 11, 25, 6, 0)
TODAY = NOW.date()
RANGE = ReportFilters(date(2026, 11, 1), date(2026, 11, 24))
DAILY = "daily 02:00"


# --- constructed data ----------------------------------------------------------------------------------------------

def _center(conn, cid: int, code: str, name: str) -> None:
    conn.execute(center.insert().values(id=cid, code=code, name=name, zone_id=1, platform="qbo", timezone="UTC",
                                        active=True))


def _jobs(conn, cid: int, maintenance: bool | None) -> None:
    rows = [dict(center_id=cid, job="post_sale", enabled=True, schedule=DAILY),
            dict(center_id=cid, job="refund", enabled=True, schedule=DAILY)]
    if maintenance is not None:
        rows.append(dict(center_id=cid, job="maintenance", enabled=maintenance, schedule=DAILY if maintenance else ""))
    conn.execute(sync_job.insert(), rows)


def _run(conn, cid: int, job: str, started: datetime, status: str = "succeeded", processed: int = 5, failed: int = 0,
         message: str | None = None) -> None:
    conn.execute(job_run.insert().values(center_id=cid, job=job, started_at=started,
                                         finished_at=started + timedelta(minutes=2), status=status,
                                         processed=processed, failed=failed, message=message))


def _order(conn, cid: int, kind: str, no: str, day: date, status: str, deleted: bool = False,
           reason: str | None = None) -> None:
    conn.execute(stock_order.insert().values(center_id=cid, kind=kind, order_no=no, order_date=day, amount=100,
                                             deleted_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
                                             if deleted else None))
    conn.execute(sync_document.insert().values(center_id=cid, kind=kind, document_no=no, sync_date=day, amount=100,
                                               status=status, pending_reason=reason, attempts=1))


def _daily(conn, cid: int, newest: date) -> None:
    conn.execute(sync_daily.insert().values(center_id=cid, sync_date=newest, report_line="invoices",
                                            status="processed", category="", documents=3))


@pytest.fixture
def ops_db(engine):
    """Five centers, each telling one story:
    1 Alder: maintenance job turned off, 3 deleted purchase orders + 1 deleted transfer order pending;
    2 Birch: no maintenance job row at all, 1 deleted purchase order pending;
    3 Cedar: maintenance enabled, its last run failed; 2 deleted purchase orders wait;
    4 Dogwood: maintenance enabled, last success 30 h ago (overdue), data 5 days old (stale);
    5 Elm: everything fine (a deleted order already processed by the maintenance job).
    """
    with engine.begin() as conn:
        conn.execute(zone.insert().values(id=1, code="Z1", name="North"))
        for cid, code, name in [(1, "A1", "Alder"), (2, "B2", "Birch"), (3, "C3", "Cedar"), (4, "D4", "Dogwood"),
                                (5, "E5", "Elm")]:
            _center(conn, cid, code, name)
        _jobs(conn, 1, False)
        _jobs(conn, 2, None)
        for cid in (3, 4, 5):
            _jobs(conn, cid, True)
        for cid in (1, 2, 3, 4, 5):
            for job in ("post_sale", "refund"):
                _run(conn, cid, job, NOW - timedelta(hours=4))
        _run(conn, 3, "maintenance", NOW - timedelta(hours=28))
        _run(conn, 3, "maintenance", NOW - timedelta(hours=4), status="failed", processed=0,
             message="HTTP 503 Service Unavailable")
        _run(conn, 4, "maintenance", NOW - timedelta(hours=30, minutes=2))
        _run(conn, 5, "maintenance", NOW - timedelta(hours=3), processed=1)

        d = date(2026, 11, 10)
        for i in range(3):
            _order(conn, 1, "purchase_order", f"A-PO-{i}", d - timedelta(days=40 * i), "pending", True,
                   "deleted_order_awaiting_maintenance")
        _order(conn, 1, "transfer_order", "A-TO-0", d, "pending", True, "deleted_order_awaiting_maintenance")
        _order(conn, 1, "purchase_order", "A-PO-live", d, "processed")
        _order(conn, 1, "purchase_order", "A-PO-fail", d, "failed")
        _order(conn, 2, "purchase_order", "B-PO-0", d, "pending", True, "deleted_order_awaiting_maintenance")
        _order(conn, 3, "purchase_order", "C-PO-0", d, "pending", True, "awaiting_schedule")
        _order(conn, 3, "purchase_order", "C-PO-1", d, "pending", True, "awaiting_schedule")
        _order(conn, 5, "purchase_order", "E-PO-0", d, "processed", True)

        for cid in (1, 2, 3, 5):
            _daily(conn, cid, TODAY - timedelta(days=1))
        _daily(conn, 4, TODAY - timedelta(days=5))
        run_id = conn.execute(import_run.insert().values(source="bundle", started_at=NOW - timedelta(hours=1),
                                                         finished_at=NOW - timedelta(minutes=50), status="succeeded")
                              ).inserted_primary_key[0]
        conn.execute(import_center.insert(), [dict(import_run_id=run_id, center_id=c, newest_sync_date=TODAY)
                                              for c in (1, 2, 3, 5)])
    return engine


ALL = (1, 2, 3, 4, 5)


def _by_center(view, table: str) -> pd.DataFrame:
    return getattr(view, table).set_index("Center")


# --- the rules, on the database ------------------------------------------------------------------------------------

def test_deleted_orders_of_a_center_without_an_enabled_maintenance_job_are_flagged_with_their_count(ops_db):
    view = operations.build(ops_db, ALL, RANGE, NOW, 2)
    flags = {a.center_name: a.text for a in view.alerts if "will stay pending" in a.text}
    assert flags == {
        "Alder": "3 deleted purchase orders and 1 deleted transfer order will stay pending: "
                 "the maintenance job is not enabled for this center",
        "Birch": "1 deleted purchase order will stay pending: the maintenance job is not configured for this center",
    }
    orders = _by_center(view, "orders")
    assert orders.loc["Alder", "Deleted orders pending (all dates)"] == 4  # includes the one from September
    assert orders.loc["Alder", "Maintenance job"] == "Not enabled"
    assert orders.loc["Birch", "Maintenance job"] == "Not configured"
    assert "will stay pending" in orders.loc["Alder", "Flag"]
    # Cedar's deleted orders wait for a configured job: not this flag, but its failed run says they wait.
    assert "will stay pending" not in orders.loc["Cedar", "Flag"]
    marks = dict(zip(view.orders["Center"], view.order_marks, strict=True))
    assert marks["Alder"] == "failed" and marks["Birch"] == "failed" and marks["Elm"] is None


def test_a_failed_last_run_and_an_overdue_job_are_reported_with_the_last_run_figures(ops_db):
    view = operations.build(ops_db, ALL, RANGE, NOW, 2)
    jobs = view.jobs.set_index(["Center", "Job"])
    cedar = jobs.loc[("Cedar", "Maintenance")]
    assert cedar["Health"] == "Last run failed"
    assert cedar["Last run"] == "Failed"
    assert "HTTP 503" in cedar["Details"]
    assert pd.Timestamp(cedar["Last run started (UTC)"]) == pd.Timestamp(NOW - timedelta(hours=4))
    assert jobs.loc[("Dogwood", "Maintenance"), "Health"] == "Overdue"
    assert jobs.loc[("Elm", "Maintenance"), "Health"] == "OK"
    assert jobs.loc[("Elm", "Maintenance"), "Processed"] == 1
    assert jobs.loc[("Alder", "Maintenance"), "Health"] == "Not enabled"
    assert jobs.loc[("Birch", "Maintenance"), "Health"] == "Not configured"
    assert jobs.loc[("Birch", "Maintenance"), "Last run"] == "Never"
    texts = {a.center_name: a for a in view.alerts if "job" in a.text and "stay pending" not in a.text}
    assert texts["Cedar"].level == "error" and "2 deleted orders wait for the maintenance job" in texts["Cedar"].text
    assert texts["Dogwood"].level == "warning" and "overdue" in texts["Dogwood"].text
    assert "Elm" not in texts


def test_the_same_job_is_fine_just_inside_its_grace_and_overdue_just_after(ops_db):
    # Dogwood's last success ended 30 h before NOW: 26 h for a daily job means fine 4 h earlier, overdue now.
    earlier = operations.build(ops_db, (4,), RANGE, NOW - timedelta(hours=4, minutes=1), 2)
    later = operations.build(ops_db, (4,), RANGE, NOW - timedelta(hours=3, minutes=59), 2)
    assert earlier.jobs.set_index("Job").loc["Maintenance", "Health"] == "OK"
    assert later.jobs.set_index("Job").loc["Maintenance", "Health"] == "Overdue"


def test_order_counts_follow_the_dates_but_the_deleted_backlog_counts_every_date(ops_db):
    view = operations.build(ops_db, (1,), RANGE, NOW, 2)
    row = view.orders.iloc[0]
    assert row["Purchase orders pending"] == 1  # only A-PO-0 is dated inside the range
    assert row["Purchase orders processed"] == 1 and row["Purchase orders failed"] == 1
    assert row["Transfer orders pending"] == 1
    assert row["Deleted orders pending (all dates)"] == 4


def test_stale_data_is_flagged_when_the_newest_sync_date_is_older_than_the_limit(ops_db):
    view = operations.build(ops_db, ALL, RANGE, NOW, 2)
    fresh = _by_center(view, "freshness")
    assert fresh.loc["Dogwood", "Days behind"] == 5 and fresh.loc["Dogwood", "Freshness"].startswith("Stale")
    assert fresh.loc["Elm", "Freshness"] == "Fresh"
    assert pd.Timestamp(fresh.loc["Elm", "Last import (UTC)"]) == pd.Timestamp(NOW - timedelta(minutes=50))
    assert pd.isna(fresh.loc["Dogwood", "Last import (UTC)"])
    stale = operations.stale_centers(ops_db, ALL, TODAY, 2)
    assert list(stale["center_name"]) == ["Dogwood"]
    assert list(stale["days_behind"]) == [5]
    assert operations.stale_centers(ops_db, ALL, TODAY, 5).empty


def test_a_viewer_sees_nothing_of_centers_outside_their_access(ops_db):
    view = operations.build(ops_db, (5,), RANGE, NOW, 2)
    assert list(view.orders["Center"]) == ["Elm"]
    assert set(view.jobs["Center"]) == {"Elm"}
    assert view.alerts == []
    assert operations.stale_centers(ops_db, (5,), TODAY, 2).empty
    assert operations.stale_centers(ops_db, (), TODAY, 2).empty
    assert operations.build(ops_db, (), RANGE, NOW, 2).orders.empty


def test_the_documents_behind_a_count_filter_by_kind_status_and_deleted(ops_db):
    backlog = operations.build(ops_db, (1,), RANGE, NOW, 2, operations.OrderQuery(("purchase_order",), "pending", True))
    assert sorted(backlog.documents["Order no"]) == ["A-PO-0", "A-PO-1", "A-PO-2"]  # all dates
    assert set(backlog.document_marks) == {"warning"}
    assert backlog.documents["Response message"].str.contains("maintenance job").all()
    failed = operations.build(ops_db, (1,), RANGE, NOW, 2, operations.OrderQuery(status="failed"))
    assert list(failed.documents["Order no"]) == ["A-PO-fail"] and failed.document_marks == ["failed"]
    in_range = operations.build(ops_db, (1,), RANGE, NOW, 2, operations.OrderQuery())
    assert sorted(in_range.documents["Order no"]) == ["A-PO-0", "A-PO-fail", "A-PO-live", "A-TO-0"]
    assert operations.build(ops_db, (1,), RANGE, NOW, 2).documents is None
    one_center = operations.build(ops_db, ALL, RANGE, NOW, 2, operations.OrderQuery(status="pending", only_deleted=True,
                                                                                    center="B2"))
    assert list(one_center.documents["Order no"]) == ["B-PO-0"]
    hidden = operations.build(ops_db, (5,), RANGE, NOW, 2, operations.OrderQuery(center="A1"))
    assert hidden.documents.empty  # another viewer's center looks exactly like one without documents


def test_a_click_on_a_count_links_to_the_documents_behind_it(ops_db):
    view = operations.build(ops_db, ALL, RANGE, NOW, 2)
    row = list(view.orders["Center"]).index("Alder")
    link = view.order_link(row, "Purchase orders failed")
    assert link.page == "operations"
    assert link.params == {"order_center": "A1", "date_from": "2026-11-01", "date_to": "2026-11-24",
                           "kind": "purchase_order", "status": "failed"}
    backlog = view.order_link(row, "Deleted orders pending (all dates)")
    assert backlog.params["deleted"] == "1" and backlog.params["status"] == "pending" and "kind" not in backlog.params
    assert view.order_link(len(view.orders), "Purchase orders failed") is None


# --- the rules, pure -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("schedule, period", [
    ("daily 02:30", timedelta(days=1)),
    ("Nightly", timedelta(days=1)),
    ("hourly", timedelta(hours=1)),
    ("weekly mon 03:00", timedelta(days=7)),
    ("every 15 minutes", timedelta(minutes=15)),
    ("every 6 h", timedelta(hours=6)),
    ("30 2 * * *", timedelta(days=1)),
    ("*/10 * * * *", timedelta(minutes=10)),
    ("0 */4 * * *", timedelta(hours=4)),
    ("0 3 * * 1", timedelta(days=7)),
    ("", None),
    ("whenever", None),
    ("every 0 minutes", None),
])
def test_the_schedule_text_gives_the_period_a_job_is_checked_against(schedule, period):
    assert operations.schedule_period(schedule) == period


def test_the_grace_is_two_hours_for_a_daily_job_and_never_below_ten_minutes():
    assert operations.grace(timedelta(days=1)) == timedelta(hours=2)
    assert operations.grace(timedelta(minutes=15)) == timedelta(minutes=10)


def _job(**kw) -> dict:
    base = dict(center_id=1, job="maintenance", configured=True, enabled=True, schedule=DAILY, last_started_at=None,
                last_status=None, last_message=None, last_success_at=None)
    return {**base, **kw}


def test_job_health_rules_on_constructed_rows():
    rows = pd.DataFrame([
        _job(last_started_at=NOW - timedelta(hours=25), last_status="succeeded", last_success_at=NOW - timedelta(hours=25)),
        _job(last_started_at=NOW - timedelta(hours=27), last_status="succeeded", last_success_at=NOW - timedelta(hours=27)),
        _job(last_started_at=NOW - timedelta(hours=1), last_status="failed", last_message="boom",
             last_success_at=NOW - timedelta(hours=2)),
        _job(),
        _job(enabled=False),
        _job(configured=False, enabled=None),
        _job(last_started_at=NOW - timedelta(minutes=5), last_status="running", last_success_at=NOW - timedelta(hours=20)),
        _job(schedule="when it feels like it", last_status="succeeded", last_success_at=NOW - timedelta(hours=30)),
    ])
    out = operations.job_health(rows, NOW)
    assert list(out["health"]) == ["ok", "overdue", "failed", "overdue", "disabled", "not_configured", "running",
                                   "overdue"]
    assert "boom" in out["problem"][2]
    assert "no successful run yet" in out["problem"][3]
    assert "not recognized, checked as daily" in out["problem"][7]
    assert (out["problem"][[0, 4, 5, 6]] == "").all()


def test_maintenance_flags_ignore_centers_whose_maintenance_job_is_enabled():
    jobs = pd.DataFrame([dict(center_id=1, job="maintenance", enabled=True),
                         dict(center_id=2, job="maintenance", enabled=False),
                         dict(center_id=3, job="post_sale", enabled=True)])
    deleted = pd.DataFrame([dict(center_id=1, kind="purchase_order", documents=5),
                            dict(center_id=2, kind="purchase_order", documents=12),
                            dict(center_id=3, kind="transfer_order", documents=1)])
    flags = operations.maintenance_flags(jobs, deleted).set_index("center_id")
    assert list(flags.index) == [2, 3]
    assert flags.loc[2, "message"] == ("12 deleted purchase orders will stay pending: the maintenance job is not "
                                       "enabled for this center")
    assert flags.loc[3, "reason"] == "not_configured" and flags.loc[3, "transfer_orders"] == 1
    assert operations.maintenance_flags(jobs, deleted.iloc[0:0]).empty


def test_staleness_boundary_is_today_minus_the_setting_and_no_data_is_stale():
    fresh = pd.DataFrame({"center_id": [1, 2, 3], "newest_sync_date": [TODAY - timedelta(days=2),
                                                                       TODAY - timedelta(days=3), None]})
    out = operations.staleness(fresh, TODAY, 2)
    assert list(out["stale"]) == [False, True, True]
    assert list(out["days_behind"]) == [2, 3, None]


@pytest.mark.parametrize("params, expected, problem", [
    ({}, None, None),
    ({"kind": "purchase_order"}, operations.OrderQuery(("purchase_order",)), None),
    ({"status": ["pending"], "deleted": "1"}, operations.OrderQuery(status="pending", only_deleted=True), None),
    ({"order_center": "C006"}, operations.OrderQuery(center="C006"), None),
    ({"kind": "<script>", "status": "'; DROP TABLE x"}, operations.OrderQuery(), "unknown kind"),
])
def test_url_parameters_of_the_document_list_are_validated(params, expected, problem):
    query, problems = operations.parse_order_query(params)
    assert query == expected
    assert (problem in " ".join(problems)) if problem else problems == []
