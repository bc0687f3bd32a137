"""Property: after any sequence of imports, the rollups equal an independent count of the ledger.

Generated small bundles (documents with random kinds, statuses, dates, responses and attempt times, plus random
configuration switches) are imported twice with changes in between. After each import, `sync_daily` must equal a
GROUP BY over `sync_document` computed here in Python with the report-line rule written out, `sync_monthly`
must equal the sums of `sync_daily` by month, and `sync_center_day` its pivot with running totals. Several summary invoices on one day count once, with
the newest one's status. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncstatus import ingest, schema

DAY0 = date(2024, 1, 20)
SPAN = 45  # days: the dates cross two month boundaries
CENTERS = ("C1", "C2")
RESPONSES = (
    "",
    json.dumps({"Fault": {"Error": [{"Message": "Duplicate Document Number Error", "code": "6140"}],
                          "type": "ValidationFault"}}),
    "Please add credit or debit account.",
    '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}',
)
HEADER = "center_code,kind,document_no,sync_date,amount,status,pending_reason,attempts,last_attempt_at,external_ref,response"
ZONES = "zone_code,zone_name\nZ1,North\n"
CENTERS_CSV = "center_code,center_name,zone_code,platform\nC1,One,Z1,qbo\nC2,Two,Z1,xero\n"

doc = st.tuples(
    st.sampled_from(CENTERS),
    st.sampled_from(schema.DOCUMENT_KINDS),
    st.integers(0, 3),                                    # document number: few, so imports overlap
    st.integers(0, SPAN),                                 # sync date offset
    st.sampled_from(schema.DOCUMENT_STATUSES),
    st.integers(0, len(RESPONSES) - 1),
    st.integers(0, 3),                                    # attempts
    st.one_of(st.none(), st.integers(0, 24 * (SPAN + 3))),  # last attempt, hours after DAY0
)
docs = st.lists(doc, max_size=20, unique_by=lambda d: (d[0], d[1], d[2]))
configs = st.lists(
    st.tuples(st.sampled_from(CENTERS), st.integers(-5, SPAN), st.sampled_from(schema.SYNC_TYPES)),
    max_size=4, unique_by=lambda c: (c[0], c[1]),
)


def doc_line(d) -> str:
    center, kind, no, day, status, resp, attempts, hours = d
    at = "" if hours is None else (datetime.combine(DAY0, datetime.min.time()) + timedelta(hours=hours)).isoformat()
    response = RESPONSES[resp].replace('"', '""')
    return (f"{center},{kind},{kind[:3].upper()}-{no},{DAY0 + timedelta(days=day)},1.00,{status},,{attempts},{at},,"
            f'"{response}"')


def bundle(folder: Path, documents, cfgs, with_centers: bool) -> Path:
    folder.mkdir(parents=True)
    if with_centers:
        (folder / "zones.csv").write_text(ZONES)
        (folder / "centers.csv").write_text(CENTERS_CSV)
    if cfgs:
        lines = ["center_code,effective_from,sync_type"]
        lines += [f"{c},{DAY0 + timedelta(days=day)},{t}" for c, day, t in cfgs]
        (folder / "sync_configs.csv").write_text("\n".join(lines) + "\n")
    (folder / "documents.csv").write_text("\n".join([HEADER, *map(doc_line, documents)]) + "\n")
    return folder


def wipe(engine) -> None:
    with engine.begin() as conn:
        for t in reversed(schema.metadata.sorted_tables):
            conn.execute(t.delete())


# --- the rule, written out independently of the SQL ------------------------------------------------
LINE_OF_KIND = {"misc_journal": "misc_journals", "payment": "payments", "refund": "refunds",
                "purchase_order": "purchase_orders", "transfer_order": "transfer_orders"}


def report_line(kind: str, sync_type: str | None) -> str:
    if kind == "invoice":
        return "invoices" if sync_type in (None, "invoice_wise", "invoice_wise_journal") else "not_counted"
    if kind == "summary_invoice":
        return "invoices" if sync_type in ("day_wise", "day_wise_journal") else "not_counted"
    return LINE_OF_KIND[kind]


def config_on(configs: list[tuple[date, str]], day: date) -> str | None:
    """The sync type in force on a day: the latest config starting on or before it (none: None)."""
    started = [(start, t) for start, t in configs if start <= day]
    return max(started)[1] if started else None


def newest_summaries(documents) -> set[tuple]:
    """(center, day, number) of the summary invoice each day counts: among the day's non-archived summaries the one
    never attempted, else the latest last attempt; on equal times the greatest number (docs/REPORTS.md)."""
    best: dict[tuple, tuple] = {}
    for center_id, day, kind, status, _category, number, at in documents:
        if kind != "summary_invoice" or status == "archived":
            continue
        rank = (at is None, str(at or ""), number)
        if (center_id, day) not in best or rank > best[(center_id, day)]:
            best[(center_id, day)] = rank
    return {(c, d, rank[2]) for (c, d), rank in best.items()}


def expected_daily(engine) -> Counter:
    d, c = schema.sync_document.c, schema.center_sync_config.c
    with engine.connect() as conn:
        documents = conn.execute(sa.select(d.center_id, d.sync_date, d.kind, d.status, d.category, d.document_no,
                                           d.last_attempt_at)).all()
        cfg_rows = conn.execute(sa.select(c.center_id, c.effective_from, c.sync_type)).all()
    by_center: dict[int, list[tuple[date, str]]] = {}
    for center_id, start, sync_type in cfg_rows:
        by_center.setdefault(center_id, []).append((start, sync_type))
    counted = newest_summaries(documents)
    out: Counter = Counter()
    for center_id, day, kind, status, category, number, _at in documents:
        line = report_line(kind, config_on(by_center.get(center_id, []), day))
        if kind == "summary_invoice" and status != "archived" and (center_id, day, number) not in counted:
            line = "not_counted"   # a newer summary invoice of the same day counts instead
        cat = "" if status != "failed" else (category if category not in (None, "", "success") else "unknown")
        out[(center_id, day, line, status, cat)] += 1
    return out


def stored_daily(engine) -> Counter:
    t = schema.sync_daily.c
    with engine.connect() as conn:
        got = conn.execute(sa.select(t.center_id, t.sync_date, t.report_line, t.status, t.category, t.documents)).all()
    return Counter({tuple(r[:5]): r[5] for r in got})


def stored_monthly(engine) -> Counter:
    t = schema.sync_monthly.c
    with engine.connect() as conn:
        got = conn.execute(sa.select(t.center_id, t.month_start, t.report_line, t.status, t.category, t.documents)).all()
    return Counter({tuple(r[:5]): r[5] for r in got})


def monthly_from(daily: Counter) -> Counter:
    out: Counter = Counter()
    for (center_id, day, line, status, cat), n in daily.items():
        out[(center_id, day.replace(day=1), line, status, cat)] += n
    return out


def center_day_from(daily: Counter) -> dict[tuple[int, date], dict[str, int]]:
    """sync_center_day written out: per center and date with documents on the two report lines, the six cells
    and failures by category, then running totals in date order."""
    days: dict[tuple[int, date], Counter] = {}
    short = {"invoices": "inv", "misc_journals": "mj"}
    for (center_id, day, line, status, cat), n in daily.items():
        if line not in short or status not in ("processed", "pending", "failed"):
            continue
        row = days.setdefault((center_id, day), Counter())
        row[f"{short[line]}_{status}"] += n
        if status == "failed":
            row[f"failed_{cat if cat in schema.FAILURE_CATEGORIES else 'unknown'}"] += n
    out: dict[tuple[int, date], dict[str, int]] = {}
    running: dict[int, Counter] = {}
    for key in sorted(days):
        total = running.setdefault(key[0], Counter())
        total.update(days[key])
        out[key] = {c: days[key][c] for c in schema.DAY_COUNT_COLUMNS} | {
            f"run_{c}": total[c] for c in schema.DAY_COUNT_COLUMNS}
    return out


def stored_center_day(engine) -> dict[tuple[int, date], dict[str, int]]:
    t = schema.sync_center_day
    names = [*schema.DAY_COUNT_COLUMNS, *(f"run_{c}" for c in schema.DAY_COUNT_COLUMNS)]
    with engine.connect() as conn:
        got = conn.execute(sa.select(t.c.center_id, t.c.sync_date, *(t.c[n] for n in names))).all()
    return {(r[0], r[1]): dict(zip(names, (int(v) for v in r[2:]), strict=True)) for r in got}


def check_rollups(engine) -> None:
    daily = stored_daily(engine)
    assert all(n > 0 for n in daily.values())
    assert daily == expected_daily(engine)
    assert stored_monthly(engine) == monthly_from(daily)
    assert stored_center_day(engine) == center_day_from(daily)


_folders = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=docs, first_configs=configs, second=docs, second_configs=configs)
def test_rollups_equal_an_independent_count_of_the_ledger(engine, tmp_path, first, first_configs, second, second_configs):
    wipe(engine)
    n = next(_folders)
    for i, (documents, cfgs) in enumerate(((first, first_configs), (second, second_configs))):
        folder = bundle(tmp_path / f"b{n}_{i}", documents, cfgs, with_centers=(i == 0))
        summary = ingest.import_bundle(engine, folder, rejections_dir=tmp_path / "rejections")
        assert summary.status == "succeeded", summary.error
        assert summary.rejected == 0
        assert summary.read == summary.loaded + summary.updated + summary.unchanged
        check_rollups(engine)
    # and a third import of the same bundle changes nothing, rollups included
    before = (stored_daily(engine), stored_monthly(engine))
    again = ingest.import_bundle(engine, folder, rejections_dir=tmp_path / "rejections")
    assert again.loaded == again.updated == 0
    assert (stored_daily(engine), stored_monthly(engine)) == before
