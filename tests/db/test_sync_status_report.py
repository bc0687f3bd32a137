"""The Sync Status report's figures equal an independent count over the detail rows, on both databases."""

from __future__ import annotations

import bisect
from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from syncstatus.access import all_center_ids
from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import PLATFORM_NAMES, center, center_sync_config, sync_document, zone
from tests.conftest import DEMO_END

INVOICE_WISE = {"invoice_wise", "invoice_wise_journal"}


def independent_counts(engine, f: ReportFilters) -> pd.DataFrame:
    """Count detail rows in Python: the config in force on each date decides invoice vs summary invoice."""
    with engine.connect() as conn:
        docs = pd.DataFrame(conn.execute(
            sa.select(sync_document.c.center_id, sync_document.c.kind, sync_document.c.sync_date,
                      sync_document.c.status)
            .where(sync_document.c.sync_date.between(f.date_from, f.date_to))
        ).mappings().all())
        configs = pd.DataFrame(conn.execute(sa.select(center_sync_config)).mappings().all())
        centers = pd.DataFrame(conn.execute(
            sa.select(center.c.id, center.c.name, center.c.code, center.c.platform, zone.c.code.label("zone_code"))
            .join(zone, zone.c.id == center.c.zone_id)).mappings().all())

    timeline: dict[int, tuple[list, list]] = {}
    for cid, grp in configs.sort_values("effective_from").groupby("center_id"):
        timeline[cid] = (list(grp["effective_from"]), list(grp["sync_type"]))

    def mode(cid, d):
        starts, types = timeline.get(cid, ([], []))
        i = bisect.bisect_right(starts, d) - 1
        return types[i] if i >= 0 else "invoice_wise"

    out = []
    for cid, kind, d, status in docs[["center_id", "kind", "sync_date", "status"]].itertuples(index=False):
        if status not in ("processed", "pending", "failed"):
            continue
        if kind == "misc_journal":
            line = "Misc. Journals"
        elif kind in ("invoice", "summary_invoice"):
            if (kind == "invoice") != (mode(cid, d) in INVOICE_WISE):
                continue
            line = "Invoices"
        else:
            continue
        out.append((cid, f"{status.capitalize()} {line}"))
    counts = pd.DataFrame(out, columns=["center_id", "col"]).groupby(["center_id", "col"]).size().unstack(fill_value=0)
    sel = centers
    if f.zones:
        sel = sel[sel.zone_code.isin(f.zones)]
    if f.centers:
        sel = sel[sel.code.isin(f.centers)]
    if f.platforms:
        sel = sel[sel.platform.isin(f.platforms)]
    return counts.reindex(sel["id"]).fillna(0).astype(int).set_axis(sel["name"].to_list())


def switch_center(engine) -> tuple[str, date]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(center.c.code, center_sync_config.c.effective_from)
                            .join(center, center.c.id == center_sync_config.c.center_id)
                            .order_by(center_sync_config.c.effective_from.desc())).all()
    return rows[0][0], rows[0][1]


def filters_cases(engine):
    code, switch = switch_center(engine)
    end = DEMO_END
    with engine.connect() as conn:
        first_zone = conn.execute(sa.select(zone.c.code).order_by(zone.c.code)).scalars().first()
    return [
        ReportFilters(end - timedelta(days=6), end),
        ReportFilters(end - timedelta(days=44), end),
        ReportFilters(switch - timedelta(days=5), switch + timedelta(days=5), centers=(code,)),  # mode switch inside
        ReportFilters(end - timedelta(days=30), end, platforms=("qbo", "xero")),
        ReportFilters(date(end.year, end.month, 1) - timedelta(days=3), end, zones=(first_zone,)),
    ]


def test_report_figures_equal_an_independent_count_over_detail_rows(demo_engine):
    ids = all_center_ids(demo_engine)
    for f in filters_cases(demo_engine):
        report = sync_status.build(demo_engine, ids, f)
        expected = independent_counts(demo_engine, f)
        body = report.body.set_index("Center Name")
        assert set(body.index) <= set(expected.index), f
        for name, row in body.iterrows():
            for col in sync_status.COUNT_COLUMNS:
                if col.startswith("Total"):
                    continue
                want = int(expected.loc[name].get(col, 0))
                assert int(row[col]) == want, (f, name, col)


def test_total_equals_processed_plus_pending_plus_failed_on_every_row(demo_engine):
    report = sync_status.build(demo_engine, all_center_ids(demo_engine), ReportFilters(DEMO_END - timedelta(days=44), DEMO_END))
    t = report.table
    for line in ("Invoices", "Misc. Journals"):
        assert (t[f"Total {line}"] == t[f"Processed {line}"] + t[f"Pending {line}"] + t[f"Failed {line}"]).all()
    assert list(t.columns) == sync_status.COLUMNS
    assert t.iloc[-1]["Zone"] == sync_status.TOTAL_LABEL
    for col in sync_status.COUNT_COLUMNS:
        assert t.iloc[-1][col] == t.iloc[:-1][col].sum()


def test_a_viewer_sees_only_the_centers_allowed(demo_engine):
    ids = all_center_ids(demo_engine)
    report = sync_status.build(demo_engine, (ids[0],), ReportFilters(DEMO_END - timedelta(days=44), DEMO_END))
    assert list(report.centers["center_id"]) == [ids[0]]
    assert len(report.body) == 1


def test_status_filter_keeps_only_centers_with_failures(demo_engine):
    f = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END, status="failed")
    report = sync_status.build(demo_engine, all_center_ids(demo_engine), f)
    assert not report.body.empty
    assert ((report.body["Failed Invoices"] + report.body["Failed Misc. Journals"]) > 0).all()


def test_response_message_names_counts_by_cause(demo_engine):
    f = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END)
    report = sync_status.build(demo_engine, all_center_ids(demo_engine), f)
    failing = report.body[(report.body["Failed Invoices"] + report.body["Failed Misc. Journals"]) > 0]
    assert not failing.empty
    for _, row in failing.iterrows():
        n = row["Failed Invoices"] + row["Failed Misc. Journals"]
        assert row["Response message"].startswith(f"{n} failed: ")
    quiet = report.body[(report.body["Failed Invoices"] + report.body["Failed Misc. Journals"]) == 0]
    assert (quiet["Response message"] == "").all()
    assert report.causes["Failed documents"].sum() == report.totals["Failed Invoices"] + report.totals["Failed Misc. Journals"]


@pytest.mark.parametrize(
    "failed, platform, expected",
    [
        ({}, "qbo", ""),
        ({"duplicate": 1, "reference_inactive_or_deleted": 2}, "qbo", "3 failed: "),
    ],
)
def test_response_message_is_empty_without_failures_and_counts_them_otherwise(failed, platform, expected):
    msg = sync_status.response_message(failed, platform)
    assert msg.startswith(expected)
    if failed:
        assert "quickbooks online (2)" in msg.lower()
        assert msg.lower().index("(2)") < msg.lower().index("(1)")


@pytest.mark.parametrize("days", [1, 7, 8, 31, 45])
def test_short_and_long_range_statements_give_the_same_report(demo_engine, monkeypatch, days):
    """Day sums (short ranges) and running totals (the rest) are two ways to the same counts."""
    ids = all_center_ids(demo_engine)
    code, switch = switch_center(demo_engine)
    for f in (ReportFilters(DEMO_END - timedelta(days=days - 1), DEMO_END),
              ReportFilters(switch - timedelta(days=days // 2), switch + timedelta(days=days - 1 - days // 2))):
        monkeypatch.setattr(sync_status, "SHORT_RANGE_DAYS", 10_000)
        assert sync_status.report_query(f) == "sync_status_report_days"
        by_days = sync_status.build(demo_engine, ids, f)
        monkeypatch.setattr(sync_status, "SHORT_RANGE_DAYS", 0)
        assert sync_status.report_query(f) == "sync_status_report"
        by_running = sync_status.build(demo_engine, ids, f)
        pd.testing.assert_frame_equal(by_days.table, by_running.table)
        assert by_days.table.iloc[-1]["Total Invoices"] > 0


def test_response_message_names_platforms_properly_and_shows_their_most_frequent_message(demo_engine):
    """Beside the counts by cause, each failing center's Response message quotes the platform's own most frequent
    failure message (shortened), checked against an independent count over the detail rows."""
    f = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END)
    report = sync_status.build(demo_engine, all_center_ids(demo_engine), f)
    with demo_engine.connect() as conn:
        docs = pd.read_sql(sa.text(
            "SELECT center_id, message FROM sync_document WHERE status = 'failed' AND sync_date BETWEEN :a AND :b "
            "AND kind IN ('invoice', 'summary_invoice', 'misc_journal') AND message IS NOT NULL AND message <> ''"),
            conn, params={"a": f.date_from, "b": f.date_to})
    counts = docs.groupby(["center_id", "message"]).size().reset_index(name="n")
    counts = counts.sort_values(["center_id", "n", "message"], ascending=[True, False, True])
    expected = counts.drop_duplicates("center_id").set_index("center_id")["message"].to_dict()
    body = report.body.reset_index(drop=True)
    checked = 0
    for i, (center_id, platform) in enumerate(zip(report.centers["center_id"], report.centers["platform"],
                                                  strict=True)):
        text = body.loc[i, "Response message"]
        if int(center_id) not in expected or not text:
            continue
        name = PLATFORM_NAMES.get(platform)
        where = f" in {name}" if name else ""
        assert f" — most often{where}: “{sync_status.shorten(expected[int(center_id)])}”" in text
        assert platform not in PLATFORM_NAMES or name.lower() not in text.replace(name, "")  # never lower-cased
        checked += 1
    assert checked


def test_the_top_message_lookup_reads_only_the_centers_it_is_given(demo_engine):
    f = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END)
    ids = all_center_ids(demo_engine)
    every = sync_status.top_messages(demo_engine, list(ids), f)
    assert every and sync_status.top_messages(demo_engine, [], f) == {}
    one = next(iter(every))
    assert sync_status.top_messages(demo_engine, [one], f) == {one: every[one]}


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    assert sync_status.shorten("  Duplicate   Document Number Error ") == "Duplicate Document Number Error"
    cut = sync_status.shorten("word " * 40, 30)
    assert cut.endswith("…") and len(cut) <= 30 and "  " not in cut
