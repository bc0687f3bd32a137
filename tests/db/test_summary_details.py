"""Sale Order Summary Details: one summary invoice with its orders, lines, payments and tie-out; on both databases."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from syncstatus.reports import summary_details
from tests.db.test_documents_reports import seed, visible


def test_a_summary_invoice_shows_its_orders_lines_and_payments(engine):
    ids = seed(engine)
    d = summary_details.load(engine, visible(ids), "S-C1-0301")
    assert (d.kind, d.center_code, d.center_name, d.in_ledger) == ("summary_invoice", "C1", "Alpha Salon", True)
    assert list(d.orders.columns) == summary_details.ORDER_COLUMNS
    assert d.order_numbers == ["INV-1", "INV-2"]
    assert list(d.lines.columns) == summary_details.LINE_COLUMNS
    assert list(d.lines["Item"]) == ["SVC1 · Haircut", "SVC3 · Colour"]
    assert list(d.payments.columns) == summary_details.PAYMENT_COLUMNS
    assert list(d.payments["Status"]) == ["Processed", "Failed"]
    assert d.header["status"] == "Failed" and d.header["amount"] == 150.0
    assert d.header["response"].startswith("Account/item inactive or deleted — Object Not Found")
    assert d.raw_response and "610" in d.raw_response


def test_lines_and_payments_referencing_deleted_or_inactive_references_are_flagged(engine):
    ids = seed(engine)
    d = summary_details.load(engine, visible(ids), "S-C1-0301")
    assert list(d.lines["Deleted in platform"]) == ["", "⚠ Deleted in QuickBooks Online (account 4010)"]
    assert d.line_marks == [None, "deleted"]
    assert list(d.payments["Deleted in platform"]) == ["", "Inactive (account 1300)"]
    assert d.payment_marks == [None, "deleted"]
    only = d.flagged_only()
    assert list(only.lines["Invoice no"]) == ["INV-2"] and list(only.payments["Payment no"]) == ["P-2"]


def test_tie_out_passes_when_orders_add_up_and_shows_a_mismatch_otherwise(engine):
    ids = seed(engine)
    ok = summary_details.load(engine, visible(ids), "S-C1-0301").tie_out
    assert ok.ok and ok.orders_total == 150.0 and ok.difference == 0.0
    bad = summary_details.load(engine, visible(ids), "S-C1-0302").tie_out
    assert not bad.ok and bad.orders_total == 80.0 and bad.document_amount == 90.0 and bad.difference == -10.0


def test_an_invoice_wise_invoice_opens_on_the_same_page(engine):
    ids = seed(engine)
    d = summary_details.load(engine, visible(ids), "X-1")
    assert (d.kind, d.kind_name, d.center_code) == ("invoice", "Invoice", "C2")
    assert d.order_numbers == ["X-1"] and d.tie_out.ok
    assert d.header["external_ref"] == "XERO-77"


def test_a_number_only_on_the_sale_orders_shows_as_not_sent_yet(engine):
    ids = seed(engine)
    d = summary_details.load(engine, visible(ids), "S-C1-0399")
    assert d is not None and not d.in_ledger and d.order_numbers == ["INV-9"]
    assert d.header["status"] == "Not sent" and d.tie_out.document_amount is None


def test_a_hidden_number_and_a_missing_number_look_the_same(engine):
    ids = seed(engine)
    assert summary_details.load(engine, visible(ids), "S-C3-0301") is None
    assert summary_details.load(engine, visible(ids), "NO-SUCH") is None
    assert summary_details.load(engine, (ids["C3"],), "S-C3-0301") is not None
    assert summary_details.not_found_message("S-C3-0301") == \
        "No summary invoice or invoice numbered S-C3-0301 in your centers."


def test_failed_export_lists_the_document_and_its_failed_payments(engine):
    ids = seed(engine)
    out = summary_details.load(engine, visible(ids), "S-C1-0301").failed_export()
    assert list(out["Number"]) == ["S-C1-0301", "P-2"]
    assert list(out["Kind"]) == ["Summary invoice", "Payment"]
    assert out.iloc[1]["Category"] == "Duplicate document number"


@pytest.mark.parametrize("raw, expected", [
    ("S-C1-0301", "S-C1-0301"), ("  X-1 ", "X-1"), (["A", "B"], "B"), ("", None), (None, None),
    ("x" * 61, None), ("bad\x00no", None),
])
def test_url_numbers_are_cleaned_or_refused(raw, expected):
    assert summary_details.clean_number(raw) == expected


def test_opening_a_summary_runs_four_statements_whatever_its_size(engine):
    """Header, orders, lines, payments: indexed lookups, no per-order queries (bench/ measures the latency)."""
    ids = seed(engine)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        summary_details.load(engine, visible(ids), "S-C1-0301")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if "FROM sync_document" in s or "FROM sale_order" in s
                or "FROM payment" in s]) == 4


def test_the_tables_are_built_as_pandas_own_constructor_would(monkeypatch):
    columns = {"Invoice no": (["A-1", "A-2"], object), "Guest": (["", None], object),
               "Amount": ([1.5, float("nan")], "float64"), "Lines": ([2, 0], "int64")}
    names = ["Invoice no", "Guest", "Amount", "Lines"]
    fast = summary_details._frame(columns, names)
    monkeypatch.delattr(pd.DataFrame, "_from_arrays")
    public = summary_details._frame(columns, names)
    pd.testing.assert_frame_equal(fast, public)
    assert list(fast.dtypes.astype(str)) == ["object", "object", "float64", "int64"]
    empty = summary_details._frame({n: ([], t) for n, (_, t) in columns.items()}, names)
    assert empty.shape == (0, 4) and list(empty.columns) == names
