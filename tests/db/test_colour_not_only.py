"""Colour is never the only sign (issue 21 item 11; docs/ACCESSIBILITY.md): every row a page shades also says in
words why, in a column the page shows. Sync Status, Sale Orders, Summary Details, Payments, Misc Journal Entries,
Items and Chart of Accounts, over the hand-made book (a failed summary invoice, a deleted and an inactive account,
a deleted item) and the demo data (plain failures), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pandas as pd

from syncstatus.access import all_center_ids
from syncstatus.reports import catalog, documents, summary_details, sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.reports.sync_status import NO_CONFIG, TOTAL_LABEL
from tests.conftest import DEMO_END
from tests.db.test_documents_reports import MARCH, seed, visible


def unexplained(table: pd.DataFrame, marks: list[str | None]) -> list[tuple[int, str, dict]]:
    """Rows whose shading has no words beside it: a failed row must read "Failed" in Status (or carry a flag), a
    deleted / inactive ("deleted") row says deleted or inactive in Deleted in platform, and "⚠ Will fail" too when
    it is not sent yet."""
    assert len(marks) == len(table)
    bad = []
    for pos, mark in enumerate(marks):
        if mark is None:
            continue
        row = table.iloc[pos]
        flag = str(row.get("Deleted in platform", "") or "")
        if mark == "failed":
            ok = row.get("Status") == "Failed" or bool(flag)
        elif mark == "deleted":
            ok = "deleted" in flag.lower() or "inactive" in flag.lower()
            if row.get("Status") in ("Pending", documents.NOT_SENT):  # and the consequence, for what is not sent
                ok = ok and str(row.get("Will fail", "")).startswith("⚠ Will fail: ")
        else:
            ok = False
        if not ok:
            bad.append((pos, mark, row.to_dict()))
    return bad


def test_every_shaded_document_and_catalog_row_says_why_in_words(engine):
    ids = seed(engine)
    shown = visible(ids)
    seen: Counter = Counter()
    results = {
        "Sale Orders": documents.sale_orders(engine, shown, MARCH),
        "Payments": documents.payments(engine, shown, MARCH),
        "Misc Journal Entries": documents.misc_journal_entries(engine, shown, MARCH),
        "Items": catalog.items(engine, shown, MARCH),
        "Chart of Accounts": catalog.accounts(engine, shown, MARCH),
    }
    for page, result in results.items():
        assert unexplained(result.table, result.marks) == [], page
        seen.update((page, m) for m in result.marks if m)
    details = summary_details.load(engine, shown, "S-C1-0301")
    assert unexplained(details.lines, details.line_marks) == []
    assert unexplained(details.payments, details.payment_marks) == []
    seen.update(("Summary Details", m) for m in details.line_marks + details.payment_marks if m)
    # Not vacuous: the book shades rows of each kind on each page that has them.
    for key in [("Sale Orders", "deleted"), ("Payments", "deleted"),
                ("Items", "deleted"), ("Chart of Accounts", "deleted"), ("Summary Details", "deleted")]:
        assert seen[key], f"the book shades no {key[1]} row on {key[0]}"


def test_every_shaded_sync_status_row_says_why_in_words(demo_engine):
    report = sync_status.build(demo_engine, all_center_ids(demo_engine),
                               ReportFilters(DEMO_END - timedelta(days=44), DEMO_END))
    marks = sync_status.row_marks(report.table)
    assert "failed" in marks and marks[-1] == "total"
    for mark, (_, row) in zip(marks, report.table.iterrows(), strict=True):
        if mark == "failed":  # red: the failed counts are in the row
            assert row["Failed Invoices"] + row["Failed Misc. Journals"] > 0, row.to_dict()
        elif mark == "warning":  # yellow: the message says there is no sync configuration
            assert str(row["Response message"]).startswith(NO_CONFIG), row.to_dict()
        elif mark == "total":
            assert row["Zone"] == TOTAL_LABEL


def test_failed_rows_in_the_demo_data_read_failed(demo_engine):
    """The hand-made book's failed documents also reference deleted accounts; the demo data has plain failures."""
    ids = all_center_ids(demo_engine)
    f = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END)
    for page, build in (("Sale Orders", documents.sale_orders), ("Payments", documents.payments),
                        ("Misc Journal Entries", documents.misc_journal_entries)):
        result = build(demo_engine, ids, f)
        assert unexplained(result.table, result.marks) == [], page
        assert "failed" in result.marks, f"the demo data shades no failed row on {page}"
