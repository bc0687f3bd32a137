"""The Trends data equal the Sync Status report and independent counts over the detail rows, on both databases;
the SQL spike baselines (stored for the default window, live for others) equal the pandas reference; the Trends
rollups equal sums of the day rollup, also after a refresh from a date."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from syncstatus import ingest, rollup_trends
from syncstatus.access import all_center_ids
from syncstatus.reports import sync_status, trends
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import (
    DAY_COUNT_COLUMNS,
    SPIKE_BASELINE_DAYS,
    account,
    item,
    misc_journal,
    payment,
    sale_order,
    sale_order_line,
    spike_baseline,
    sync_center_day,
    sync_center_period,
    sync_daily,
    sync_document,
)
from tests.conftest import DEMO_END

TODAY = DEMO_END + timedelta(days=1)
WHOLE = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END)
CASES = [
    WHOLE,
    ReportFilters(DEMO_END - timedelta(days=6), DEMO_END),
    ReportFilters(date(DEMO_END.year, DEMO_END.month, 1) - timedelta(days=10), DEMO_END - timedelta(days=3)),
]


def report_totals(engine, f: ReportFilters) -> dict[tuple[str, str], int]:
    t = sync_status.build(engine, all_center_ids(engine), f).totals
    return {(line, status): int(t[f"{status.capitalize()} {name}"])
            for line, name in (("invoices", "Invoices"), ("misc_journals", "Misc. Journals"))
            for status in trends.STATUSES}


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_series_totals_equal_the_sync_status_report(demo_engine, grain):
    for f in CASES:
        t = trends.build(demo_engine, all_center_ids(demo_engine), f, grain, today=TODAY)
        got = {(line, s): int(t.volume.loc[t.volume["report_line"] == line, s].sum())
               for line in trends.LINES for s in trends.STATUSES}
        assert got == report_totals(demo_engine, f), (f, grain)
        assert int(t.causes["failed"].sum()) == got[("invoices", "failed")] + got[("misc_journals", "failed")]


@pytest.mark.parametrize("grain", ["week", "month"])
def test_week_and_month_grains_from_the_period_rollup_equal_daily_counts_summed(demo_engine, grain):
    ids = all_center_ids(demo_engine)
    for f in CASES:  # whole periods inside, partial ones at either end
        daily = trends.build(demo_engine, ids, f, "day", today=TODAY)
        coarse = trends.build(demo_engine, ids, f, grain, today=TODAY)
        volume = daily.volume.assign(period=[trends.period_start(d, grain) for d in daily.volume["period"]])
        want = volume.groupby(["period", "report_line"])[list(trends.STATUSES)].sum()
        got = coarse.volume.set_index(["period", "report_line"])[list(trends.STATUSES)]
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_dtype=False)
        causes = daily.causes.assign(period=[trends.period_start(d, grain) for d in daily.causes["period"]])
        want = causes.groupby(["period", "category"])["failed"].sum()
        got = coarse.causes.set_index(["period", "category"])["failed"]
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_dtype=False)


def test_the_series_binds_cover_the_range_once():
    short = [ReportFilters(date(2026, 3, 2), date(2026, 3, 8)), ReportFilters(date(2026, 3, 3), date(2026, 3, 8))]
    for f in [*CASES, *short]:  # a whole Monday-to-Sunday week, and the same week less its Monday
        for grain in ("day", "week", "month"):
            b = trends.series_binds(f, grain)
            days = [f.date_from + timedelta(days=i) for i in range((f.date_to - f.date_from).days + 1)]
            whole = [d for d in days if b["period_from"] <= d < b["period_to"]]
            edges = [d for d in days if d < b["head_end"] or d >= b["tail_start"]]
            assert sorted(whole + edges) == days, (f, grain)
            assert b["period_from"] == b["period_to"] or (
                trends.period_start(b["period_from"], grain) == b["period_from"]
                and trends.period_start(b["period_to"], grain) == b["period_to"]), (f, grain)


def test_weeks_start_on_monday_and_cover_the_range(demo_engine):
    t = trends.build(demo_engine, all_center_ids(demo_engine), WHOLE, "week", today=TODAY)
    assert all(p.weekday() == 0 for p in t.volume["period"])
    assert t.volume["period_from"].min() == WHOLE.date_from and t.volume["period_to"].max() == WHOLE.date_to


def test_breakdown_by_center_equals_the_reports_rows(demo_engine):
    ids = all_center_ids(demo_engine)
    report = sync_status.build(demo_engine, ids, WHOLE)
    body = report.body.set_index("Center Name")
    bd = trends.build(demo_engine, ids, WHOLE, "week", "center", today=TODAY).breakdown.set_index("name")
    for name, row in bd.iterrows():
        assert row["failed"] == body.loc[name, "Failed Invoices"] + body.loc[name, "Failed Misc. Journals"]
        assert row["processed"] == body.loc[name, "Processed Invoices"] + body.loc[name, "Processed Misc. Journals"]
    rates = list(bd["failure_rate"])
    assert rates == sorted(rates, reverse=True)


@pytest.mark.parametrize("today", [TODAY, TODAY + timedelta(days=6)])  # later: the recent pending are over 7 days
def test_pending_age_adds_up_to_the_pending_documents_of_the_range(demo_engine, today):
    ids = all_center_ids(demo_engine)
    t = trends.build(demo_engine, ids, WHOLE, "day", today=today)
    totals = report_totals(demo_engine, WHOLE)
    labels = [b[0] for b in trends.AGE_BUCKETS]
    assert int(t.pending_age[labels].sum().sum()) == totals[("invoices", "pending")] + totals[("misc_journals", "pending")]
    with demo_engine.connect() as conn:
        oldest = dict(conn.execute(
            sa.select(sync_daily.c.center_id, sa.func.min(sync_daily.c.sync_date))
            .where(sync_daily.c.status == "pending", sync_daily.c.report_line.in_(list(trends.LINES)),
                   sync_daily.c.sync_date.between(WHOLE.date_from, WHOLE.date_to))
            .group_by(sync_daily.c.center_id)).all())
        rows = conn.execute(
            sa.select(sync_daily.c.center_id, sync_daily.c.sync_date, sa.func.sum(sync_daily.c.documents))
            .where(sync_daily.c.status == "pending", sync_daily.c.report_line.in_(list(trends.LINES)),
                   sync_daily.c.sync_date.between(WHOLE.date_from, WHOLE.date_to))
            .group_by(sync_daily.c.center_id, sync_daily.c.sync_date)).all()
    by_bucket: dict[tuple[int, str], int] = {}
    for cid, day, n in rows:  # bucketed here, day by day
        key = (cid, labels[trends.age_bucket(trends._as_date(day), today)])
        by_bucket[key] = by_bucket.get(key, 0) + int(n)
    assert not t.pending_age.empty
    assert {b for _, b in by_bucket} >= ({labels[0]} if today == TODAY else {labels[2], labels[3]})
    assert {(r["center_id"], b): r[b] for r in t.pending_age.to_dict("records") for b in labels if r[b]} == by_bucket
    for r in t.pending_age.to_dict("records"):
        assert r["oldest_sync_date"] == trends._as_date(oldest[r["center_id"]])
        oldest_bucket = trends.AGE_BUCKETS[trends.age_bucket(r["oldest_sync_date"], today)][0]
        assert r[oldest_bucket] > 0 and all(r[b] == 0 for b in labels[labels.index(oldest_bucket) + 1:])


def per_center_days(engine, f: ReportFilters, window: int) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(
            sa.select(sync_daily.c.center_id, sync_daily.c.sync_date, sync_daily.c.status, sync_daily.c.documents)
            .where(sync_daily.c.report_line.in_(list(trends.LINES)),
                   sync_daily.c.status.in_(["processed", "failed"]),
                   sync_daily.c.sync_date.between(f.date_from - timedelta(days=window), f.date_to))).all(),
            columns=["center_id", "sync_date", "status", "documents"])
    rows["sync_date"] = rows["sync_date"].map(trends._as_date)
    rows["failed"] = rows["documents"].where(rows["status"] == "failed", 0)
    return rows.groupby(["center_id", "sync_date"], as_index=False).agg(failed=("failed", "sum"),
                                                                          settled=("documents", "sum"))


@pytest.mark.parametrize("rule", [trends.SpikeRule(min_documents=5, min_history_days=3),
                                  trends.SpikeRule(min_documents=10, min_rise=0.05, k_std=1.5, window_days=14)])
def test_spikes_found_in_sql_equal_the_pandas_reference(demo_engine, rule):
    ids = list(all_center_ids(demo_engine))
    f = ReportFilters(DEMO_END - timedelta(days=20), DEMO_END)
    got = trends.flag_spikes(trends.fetch_spikes(demo_engine, ids, f, rule), rule)
    want = trends.detect_spikes(per_center_days(demo_engine, f, rule.window_days), rule, f.date_from)
    assert len(want) > 0
    assert list(zip(got["center_id"], got["sync_date"], strict=True)) == \
        list(zip(want["center_id"], want["sync_date"], strict=True))
    for col in ("failed", "settled", "base_days"):
        assert got[col].astype(int).tolist() == want[col].astype(int).tolist(), col
    for col in ("rate", "base_mean", "base_std", "threshold"):
        assert got[col].tolist() == pytest.approx(want[col].tolist()), col


def center_days(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(sa.select(sync_center_day)).mappings().all())
    df["sync_date"] = df["sync_date"].map(trends._as_date)
    return df


def check_trends_rollups(engine) -> None:
    """sync_center_period = sync_center_day summed by Monday week and by month (in pandas); spike_baseline =
    the pandas reference baseline over sync_center_day's failed and settled documents."""
    days = center_days(engine)
    counts = list(DAY_COUNT_COLUMNS)
    with engine.connect() as conn:
        periods = pd.DataFrame(conn.execute(sa.select(sync_center_period)).mappings().all())
        stored = pd.DataFrame(conn.execute(sa.select(spike_baseline)).mappings().all())
    periods["period_start"] = periods["period_start"].map(trends._as_date)
    for grain in ("week", "month"):
        want = days.assign(period_start=[trends.period_start(d, grain) for d in days["sync_date"]]) \
            .groupby(["center_id", "period_start"])[counts].sum()
        got = periods[periods["grain"] == grain].set_index(["center_id", "period_start"])[counts]
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_dtype=False)
    daily = days.assign(failed=days["inv_failed"] + days["mj_failed"])
    daily["settled"] = daily["failed"] + daily["inv_processed"] + daily["mj_processed"]
    want = trends.daily_baseline(daily[["center_id", "sync_date", "failed", "settled"]], SPIKE_BASELINE_DAYS) \
        .set_index(["center_id", "sync_date"]).sort_index()
    stored["sync_date"] = stored["sync_date"].map(trends._as_date)
    got = stored.set_index(["center_id", "sync_date"]).sort_index()
    assert list(got.index) == list(want.index)
    for col in ("failed", "settled", "base_days"):
        assert got[col].astype(int).tolist() == want[col].astype(int).tolist(), col
    for col in ("rate", "base_mean", "base_square"):
        assert got[col].astype(float).fillna(-1).tolist() == pytest.approx(want[col].astype(float).fillna(-1).tolist())


def test_trends_rollups_equal_the_day_rollup_summed(demo_engine):
    check_trends_rollups(demo_engine)


def test_a_refresh_from_a_date_recounts_the_trends_rollups_from_there(engine, demo_bundle, tmp_path):
    ingest.import_bundle(engine, demo_bundle)
    with engine.begin() as conn:  # whatever the importer did, the whole history once
        rollup_trends.refresh(conn, all_center_ids(engine), date(2000, 1, 1))
    check_trends_rollups(engine)
    # a second import fails one center's processed invoices of a mid-range week: its later baselines move
    docs = pd.read_csv(demo_bundle / "documents.csv", dtype=str, keep_default_na=False)
    changed_from = DEMO_END - timedelta(days=20)
    first_center = sorted(set(docs["center_code"]))[0]
    hit = (docs["center_code"] == first_center) & (docs["kind"] == "invoice") & (docs["status"] == "processed") \
        & docs["sync_date"].between(changed_from.isoformat(), (changed_from + timedelta(days=3)).isoformat())
    assert hit.sum() > 0
    docs.loc[hit, "status"] = "failed"
    second = tmp_path / "second"
    second.mkdir()
    docs[hit].to_csv(second / "documents.csv", index=False)
    summary = ingest.import_bundle(engine, second)
    assert summary.status != "failed", summary.error
    with engine.begin() as conn:
        rollup_trends.refresh(conn, all_center_ids(engine), changed_from)
    check_trends_rollups(engine)


def independent_blocked(engine, f: ReportFilters) -> dict[tuple[int, str, str], int]:
    """Failed + pending documents referencing each deleted/inactive account or item, counted in Python."""
    with engine.connect() as conn:
        def frame(sel):
            return pd.DataFrame(conn.execute(sel).mappings().all())
        docs = frame(sa.select(sync_document.c.id, sync_document.c.center_id, sync_document.c.kind,
                               sync_document.c.document_no)
                     .where(sync_document.c.status.in_(["failed", "pending"]),
                            sync_document.c.sync_date.between(f.date_from, f.date_to)))
        lines = frame(sa.select(sale_order_line))
        pays = frame(sa.select(payment))
        orders = frame(sa.select(sale_order))
        journals = frame(sa.select(misc_journal))
        gone_acc = frame(sa.select(account.c.center_id, account.c.code)
                         .where(sa.or_(account.c.deleted_in_platform_at.is_not(None), account.c.active.is_(False))))
        gone_item = frame(sa.select(item.c.center_id, item.c.code).where(item.c.deleted_in_platform_at.is_not(None)))
    refs: dict[tuple, set] = {}
    gone = {(r.center_id, "account", r.code) for r in gone_acc.itertuples()} | \
           {(r.center_id, "item", r.code) for r in gone_item.itertuples()}
    inv_refs: dict[tuple[int, str], set] = {}
    for r in lines.itertuples():
        inv_refs.setdefault((r.center_id, r.invoice_no), set()).update(
            {(r.center_id, "item", r.item_code), (r.center_id, "account", r.account_code)})
    for r in pays.itertuples():
        inv_refs.setdefault((r.center_id, r.invoice_no), set()).add((r.center_id, "account", r.account_code))
    summary: dict[tuple[int, str], set] = {}
    for r in orders.itertuples():
        if r.summary_invoice_no:
            summary.setdefault((r.center_id, r.summary_invoice_no), set()).update(
                inv_refs.get((r.center_id, r.invoice_no), set()))
    pay_refs = {(r.center_id, r.payment_no): {(r.center_id, "account", r.account_code)} for r in pays.itertuples()}
    mj_refs = {(r.center_id, r.journal_no): {(r.center_id, "account", r.debit_account_code),
                                              (r.center_id, "account", r.credit_account_code)}
               for r in journals.itertuples()}
    source = {"invoice": inv_refs, "summary_invoice": summary, "payment": pay_refs, "misc_journal": mj_refs}
    for d in docs.itertuples():
        for ref in source.get(d.kind, {}).get((d.center_id, d.document_no), set()) & gone:
            refs.setdefault(ref, set()).add(d.id)
    return {k: len(v) for k, v in refs.items()}


def test_deleted_references_block_the_documents_that_reference_them(demo_engine):
    t = trends.build(demo_engine, all_center_ids(demo_engine), WHOLE, today=TODAY)
    assert not t.deleted_refs.empty
    got = {(r.center_id, r.ref_kind, r.code): r.blocked_documents for r in t.deleted_refs.itertuples()
           if r.blocked_documents}
    assert got == independent_blocked(demo_engine, WHOLE)
    assert set(t.deleted_refs["state"]) <= {"deleted", "inactive"}


def test_a_viewer_sees_only_the_centers_allowed(demo_engine):
    ids = all_center_ids(demo_engine)
    t = trends.build(demo_engine, (ids[0],), WHOLE, "week", "center", today=TODAY)
    assert list(t.directory["center_id"]) == [ids[0]]
    assert set(t.breakdown["key"]) <= set(t.directory["center_code"])
    assert set(t.pending_age["center_id"]) <= {ids[0]} and set(t.deleted_refs["center_id"]) <= {ids[0]}
    assert set(t.spikes["center_id"]) <= {ids[0]}
    everyone = trends.build(demo_engine, ids, WHOLE, "week", today=TODAY)
    assert t.volume["total"].sum() < everyone.volume["total"].sum()


def test_no_allowed_centers_means_no_data_not_an_error(demo_engine):
    t = trends.build(demo_engine, (), WHOLE, "week", today=TODAY)
    assert t.empty and t.breakdown.empty and t.spikes.empty and t.deleted_refs.empty


def test_the_queries_run_on_two_connections_give_the_same_page_as_one_after_the_other(demo_engine, monkeypatch):
    ids = all_center_ids(demo_engine)
    taken: list = []
    real = trends._second_connection

    def spy(engine):
        conn = real(engine)
        taken.append(conn is not None)
        return conn

    monkeypatch.setattr(trends, "_second_connection", spy)
    both = trends.build(demo_engine, ids, WHOLE, "week", today=TODAY)
    assert taken == [demo_engine.dialect.name == "postgresql"]   # in parallel on PostgreSQL only
    monkeypatch.setattr(trends, "_second_connection", lambda engine: None)
    one = trends.build(demo_engine, ids, WHOLE, "week", today=TODAY)
    for name in ("volume", "causes", "breakdown", "pending_age", "deleted_refs", "spikes"):
        pd.testing.assert_frame_equal(getattr(both, name), getattr(one, name), obj=name)
    assert not both.deleted_refs.empty and not both.pending_age.empty


def test_a_failure_of_the_side_queries_reaches_the_page(demo_engine, monkeypatch):
    # On PostgreSQL they run on the second connection's thread, on SQLite in the page's own.
    def broken(*args):
        raise RuntimeError("the second connection failed")

    monkeypatch.setattr(trends, "_side_queries", broken)
    with pytest.raises(RuntimeError, match="second connection failed"):
        trends.build(demo_engine, all_center_ids(demo_engine), WHOLE, "week", today=TODAY)
