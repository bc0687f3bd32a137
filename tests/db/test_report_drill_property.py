"""Property (issue 18): every count the reports show equals the rows of the page it opens, under the same filters.

Generated sync logs are imported two or three times at random moments (the same keys again, with newer or older
attempts and other statuses), with centers that have no configuration (or only from a later date), switches
between Invoice Wise and Day Wise, and several summary invoices on one day. Then, for a random date range and a
random viewer (admin, a zone, a center), on SQLite and PostgreSQL:

- Sync Status: every count cell, the totals row included, equals the number of rows its drill-down lists
  (ui.tables.sync_status_drill -> reports.documents); the totals row is the sum of the rows; total = processed +
  pending + failed; the label says how many centers are listed; the viewer's whole ledger as counted agrees with
  the totals (no center vanishes);
- Trends: the headline figures equal the report's totals; every bar of "Failed vs processed" equals its drill-down;
- Overview: each status of the Invoices and Misc. journals lines equals the documents listed for the data's span.

A bundle may also repeat a document key (a sync log holding every attempt): the importer keeps the newest row and
counts the others as superseded, never rejected.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncstatus import ingest, schema
from syncstatus.reports import documents, overview, sync_status, trends
from syncstatus.reports.filters import ReportFilters, center_directory
from syncstatus.ui import tables

DAY0 = date(2024, 2, 26)   # a Monday; the dates cross into March
SPAN = 12
CENTERS = {"C1": ("Z1", "qbo"), "C2": ("Z1", "xero"), "C3": ("Z2", "qbo")}
ZONES = "zone_code,zone_name\nZ1,North\nZ2,South\n"
CENTERS_CSV = "center_code,center_name,zone_code,platform\n" + "".join(
    f"{c},Center {c},{z},{p}\n" for c, (z, p) in CENTERS.items())
HEADER = ("center_code,kind,document_no,sync_date,amount,status,pending_reason,attempts,last_attempt_at,external_ref,"
          "response")
KINDS = ("invoice", "summary_invoice", "summary_invoice", "misc_journal")   # summaries often: several a day
NUMBERS = {"invoice": 4, "summary_invoice": 6, "misc_journal": 3}

doc = st.tuples(
    st.sampled_from(sorted(CENTERS)),
    st.sampled_from(KINDS),
    st.integers(0, 5),                                     # document number (few: imports repeat keys)
    st.integers(0, SPAN),                                  # sync date offset
    st.sampled_from(schema.DOCUMENT_STATUSES),
    st.one_of(st.none(), st.integers(0, 24 * (SPAN + 2))),  # last attempt, hours after DAY0
    st.integers(0, 3),                                     # attempts
)


docs = st.lists(doc, min_size=4, max_size=18)   # keys may repeat inside one bundle
# Several summary invoices on one day: (center, day, [(status, last attempt hours, attempts), ...]); their numbers
# (SUM-<center>-1<day><i>) are apart from the other documents'.
attempt = st.tuples(st.sampled_from(schema.DOCUMENT_STATUSES), st.one_of(st.none(), st.integers(0, 24 * 6)),
                    st.integers(0, 3))
crowds = st.lists(st.tuples(st.sampled_from(("C1", "C3")), st.integers(0, 3), st.lists(attempt, min_size=2,
                                                                                          max_size=3)),
                  min_size=1, max_size=2, unique_by=lambda c: (c[0], c[1]))
configs = st.lists(st.tuples(st.sampled_from(("C1", "C3", "C1", "C3", "C2")), st.integers(-3, SPAN),  # C2: rarely
                             st.sampled_from((*schema.SYNC_TYPES, "day_wise", "day_wise"))),
                   max_size=3, unique_by=lambda c: (c[0], c[1]))
viewers = st.sampled_from(["admin", "Z1", "Z2", "C1", "C2", "C3"])
ranges = st.tuples(st.integers(-2, SPAN + 2), st.integers(-2, SPAN + 2)).map(sorted)


def doc_line(d) -> str:
    center, kind, no, day, status, hours, attempts = d
    number = no if isinstance(no, str) else no % NUMBERS[kind]
    at = "" if hours is None else (datetime.combine(DAY0, datetime.min.time()) + timedelta(hours=hours)).isoformat()
    response = "boom" if status == "failed" else ""
    reason = "awaiting_schedule" if status == "pending" else ""
    return (f"{center},{kind},{kind[:3].upper()}-{center}-{number},{DAY0 + timedelta(days=day)},1.00,"
            f"{status},{reason},{attempts},{at},,{response}")


def crowd_docs(crowd) -> list[tuple]:
    return [(center, "summary_invoice", f"1{day}{i}", day, status, hours, attempts)
            for center, day, attempts_ in crowd for i, (status, hours, attempts) in enumerate(attempts_)]


def write_bundle(folder: Path, documents_, cfgs, first: bool) -> Path:
    folder.mkdir(parents=True)
    if first:
        (folder / "zones.csv").write_text(ZONES)
        (folder / "centers.csv").write_text(CENTERS_CSV)
    if cfgs:
        lines = ["center_code,effective_from,sync_type", *(f"{c},{DAY0 + timedelta(days=d)},{t}" for c, d, t in cfgs)]
        (folder / "sync_configs.csv").write_text("\n".join(lines) + "\n")
    (folder / "documents.csv").write_text("\n".join([HEADER, *map(doc_line, documents_)]) + "\n")
    return folder


def wipe(engine) -> None:
    with engine.begin() as conn:
        for t in reversed(schema.metadata.sorted_tables):
            conn.execute(t.delete())


def viewer_ids(engine, viewer: str) -> tuple[int, ...]:
    d = center_directory(engine, tuple(range(1, 50)))
    if viewer in ("Z1", "Z2"):
        d = d[d["zone_code"] == viewer]
    elif viewer != "admin":
        d = d[d["center_code"] == viewer]
    return tuple(int(x) for x in d["center_id"])


PAGES = {"sale_orders": documents.sale_orders, "misc_journal_entries": documents.misc_journal_entries}


def listed(engine, ids, link) -> int:
    """How many rows the page a link opens lists, for this viewer."""
    p = link.params

    def many(name):
        v = p.get(name, [])
        return tuple(v) if isinstance(v, list) else (v,)

    f = ReportFilters(date.fromisoformat(p["date_from"]), date.fromisoformat(p["date_to"]), zones=many("zone"),
                      centers=many("center"), platforms=many("platform"), status=p.get("status", "all"))
    result = PAGES[link.page](engine, ids, f)
    assert not result.truncated
    return len(result.table)


def click(row: int, column: str) -> dict:
    return {"selection": {"cells": [(row, column)], "rows": [], "columns": []}}


def check_sync_status(engine, ids, f: ReportFilters) -> sync_status.SyncStatusReport:
    report = sync_status.build(engine, ids, f)
    body, totals = report.body, report.totals
    assert totals["Center Name"] == ("1 center" if len(body) == 1 else f"{len(body):,} centers")
    for column in sync_status.COUNT_COLUMNS:
        assert totals[column] == body[column].sum(), column
    for line in ("Invoices", "Misc. Journals"):
        for _, r in report.table.iterrows():
            assert r[f"Total {line}"] == r[f"Processed {line}"] + r[f"Pending {line}"] + r[f"Failed {line}"]
    for row in range(len(report.table)):          # every cell, the totals row too
        for column in sync_status.COUNT_COLUMNS:
            link = tables.sync_status_drill(click(row, column), report, f)
            cell = int(report.table.iloc[row][column])
            assert listed(engine, ids, link) == cell, (row, column, link)
    # nothing vanishes: the viewer's whole ledger, counted as the report counts, agrees with the totals
    whole = documents.sale_orders(engine, ids, f.with_(status="counted"))
    assert len(whole.table) == totals["Total Invoices"]
    return report


def check_trends(engine, ids, f: ReportFilters, report, grain: str) -> None:
    t = trends.build(engine, ids, f, grain, "center", today=DAY0 + timedelta(days=SPAN + 3))
    head = trends.headline(t)
    for status, name in (("processed", "Processed"), ("pending", "Pending"), ("failed", "Failed")):
        assert head[status] == report.totals[f"{name} Invoices"] + report.totals[f"{name} Misc. Journals"]
    assert head["failed"] == int(t.causes["failed"].sum()) if len(t.causes) else head["failed"] == 0
    zeros = 6   # every bar with documents, and a few empty ones (a day grain has many)
    for v in t.volume.itertuples(index=False):
        for status in ("processed", "pending", "failed"):
            if not getattr(v, status):
                if not zeros:
                    continue
                zeros -= 1
            key = trends.drill_key(line=v.report_line, status=status, **{"from": v.period_from, "to": v.period_to})
            link = trends.drill_link(key, f)
            assert listed(engine, ids, link) == getattr(v, status), (v, status)


def check_overview(engine, ids) -> None:
    o = overview.summary(engine, ids)
    if o.first_sync_date is None:
        assert sum(o.by_status.values()) == 0
        return
    span = ReportFilters(o.first_sync_date, o.last_sync_date)
    by_line = o.by_line.set_index("Documents")
    for line, fn in (("Invoices", documents.sale_orders), ("Misc. journals", documents.misc_journal_entries)):
        for status, name in overview.STATUS_NAMES.items():
            shown = int(by_line.loc[line, name]) if line in by_line.index else 0
            assert len(fn(engine, ids, span.with_(status=status)).table) == shown, (line, status)
    assert sum(o.by_status.values()) == int(o.by_line[list(overview.STATUS_NAMES.values())].to_numpy().sum())


_folders = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(imports=st.lists(st.tuples(docs, configs, crowds), min_size=2, max_size=3), viewer=viewers, days=ranges,
       grain=st.sampled_from(["day", "week", "month"]))
def test_every_count_equals_the_rows_of_the_page_it_opens(engine, tmp_path, imports, viewer, days, grain):
    wipe(engine)
    n = next(_folders)
    for i, (documents_, cfgs, crowd) in enumerate(imports):
        taken = {(c, d) for c, d, _ in cfgs}   # a crowded day is Day Wise from that day on (unless set otherwise)
        cfgs = [*cfgs, *((c, d, "day_wise") for c, d, _ in crowd if (c, d) not in taken)]
        folder = write_bundle(tmp_path / f"b{n}_{i}", [*documents_, *crowd_docs(crowd)], cfgs, first=(i == 0))
        summary = ingest.import_bundle(engine, folder, rejections_dir=tmp_path / "rejections")
        assert summary.status == "succeeded", summary.error
        assert summary.rejected == 0
        keys = {(c, kind, no % NUMBERS[kind]) for c, kind, no, *_ in documents_}
        assert summary.superseded == len(documents_) - len(keys)   # each repeat of a key replaced, none lost
    ids = viewer_ids(engine, viewer)
    f = ReportFilters(DAY0 + timedelta(days=days[0]), DAY0 + timedelta(days=days[1]))
    report = check_sync_status(engine, ids, f)
    check_trends(engine, ids, f, report, grain)
    check_overview(engine, ids)
