"""Sale Orders, Payments, Misc Journal Entries and the failed-documents export, on SQLite and PostgreSQL.

`seed` writes a small, hand-made book (also used by the summary details and catalog tests): two visible centers,
one the viewer may not see, a deleted account, an inactive one, a deleted item, a tie-out mismatch.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from syncstatus import exports, messages
from syncstatus.reports import documents, sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import (
    account,
    center,
    center_sync_config,
    item,
    misc_journal,
    payment,
    sale_order,
    sale_order_line,
    sync_document,
    zone,
)

D1, D2 = date(2026, 3, 1), date(2026, 3, 2)
DELETED_AT = datetime(2026, 2, 20, 9, 0)
MARCH = ReportFilters(date(2026, 3, 1), date(2026, 3, 31))


def _doc(cid, kind, no, day, amount, status, **kw):
    return {"center_id": cid, "kind": kind, "document_no": no, "sync_date": day, "amount": amount, "status": status,
            "attempts": kw.pop("attempts", 1), **kw}


def _insert(conn, table, rows) -> None:
    for row in rows:  # one by one: the rows leave out different optional columns
        conn.execute(table.insert().values(**row))


def seed(engine) -> dict[str, int]:
    """Write the hand-made book; returns center code -> id. Visible to the viewer: C1 (QBO, Day Wise), C2 (Xero,
    Invoice Wise). Hidden: C3."""
    with engine.begin() as conn:
        zid = conn.execute(zone.insert().values(code="Z1", name="North").returning(zone.c.id)).scalar_one()
        ids = {}
        for code, name, plat in (("C1", "Alpha Salon", "qbo"), ("C2", "Beta Spa", "xero"), ("C3", "Hidden Clinic", "qbo")):
            ids[code] = conn.execute(center.insert().values(code=code, name=name, zone_id=zid, platform=plat)
                                     .returning(center.c.id)).scalar_one()
        c1, c2, c3 = ids["C1"], ids["C2"], ids["C3"]
        _insert(conn, center_sync_config, [
            {"center_id": c1, "effective_from": date(2026, 1, 1), "sync_type": "day_wise"},
            {"center_id": c2, "effective_from": date(2026, 1, 1), "sync_type": "invoice_wise"},
            {"center_id": c3, "effective_from": date(2026, 1, 1), "sync_type": "day_wise"},
        ])
        _insert(conn, account, [
            {"center_id": c1, "code": "4000", "name": "Sales", "type": "income", "active": True},
            {"center_id": c1, "code": "4010", "name": "Old Sales", "type": "income", "active": False,
             "deleted_in_platform_at": DELETED_AT},
            {"center_id": c1, "code": "1200", "name": "Card Clearing", "type": "asset", "active": True},
            {"center_id": c1, "code": "1300", "name": "Cash", "type": "asset", "active": False},
            {"center_id": c2, "code": "4000", "name": "Sales", "type": "income", "active": True},
            {"center_id": c2, "code": "1000", "name": "Bank", "type": "bank", "active": True},
            {"center_id": c3, "code": "4000", "name": "Sales", "type": "income", "active": True,
             "deleted_in_platform_at": DELETED_AT},
        ])
        _insert(conn, item, [
            {"center_id": c1, "code": "SVC1", "name": "Haircut", "item_type": "service", "mapped_item_type": "service",
             "platform_item": "Hair:Cut", "account_code": "4000"},
            {"center_id": c1, "code": "SVC2", "name": "Shampoo", "item_type": "product", "mapped_item_type": "product",
             "platform_item": "Retail:Shampoo", "account_code": "4000", "deleted_in_platform_at": DELETED_AT},
            {"center_id": c1, "code": "SVC3", "name": "Colour", "item_type": "service", "account_code": "4010",
             "status": "failed", "category": "mapping_missing", "message": "Name 'Colour' didn't match with mapped value."},
            {"center_id": c2, "code": "SVC1", "name": "Massage", "item_type": "service", "account_code": "4000"},
        ])
        _insert(conn, sale_order, [
            {"center_id": c1, "invoice_no": "INV-1", "guest": "Ann", "sale_date": D1, "amount": 100,
             "summary_invoice_no": "S-C1-0301"},
            {"center_id": c1, "invoice_no": "INV-2", "guest": "Bob", "sale_date": D1, "amount": 50,
             "summary_invoice_no": "S-C1-0301"},
            {"center_id": c1, "invoice_no": "INV-3", "guest": "Cy", "sale_date": D2, "amount": 80,
             "summary_invoice_no": "S-C1-0302"},
            {"center_id": c1, "invoice_no": "INV-9", "guest": "Di", "sale_date": D2, "amount": 25,
             "summary_invoice_no": "S-C1-0399"},
            {"center_id": c2, "invoice_no": "X-1", "guest": "Eve", "sale_date": D1, "amount": 60},
            {"center_id": c3, "invoice_no": "H-1", "guest": "Hal", "sale_date": D1, "amount": 70,
             "summary_invoice_no": "S-C3-0301"},
        ])
        _insert(conn, sale_order_line, [
            {"center_id": c1, "invoice_no": "INV-1", "line_no": 1, "item_code": "SVC1", "qty": 1, "amount": 100},
            {"center_id": c1, "invoice_no": "INV-2", "line_no": 1, "item_code": "SVC3", "qty": 1, "amount": 50},
            {"center_id": c1, "invoice_no": "INV-3", "line_no": 1, "item_code": "SVC2", "qty": 2, "amount": 80},
            {"center_id": c2, "invoice_no": "X-1", "line_no": 1, "item_code": "SVC1", "account_code": "4000", "qty": 1,
             "amount": 60},
            {"center_id": c3, "invoice_no": "H-1", "line_no": 1, "item_code": "SVC1", "qty": 1, "amount": 70},
        ])
        _insert(conn, payment, [
            {"center_id": c1, "payment_no": "P-1", "invoice_no": "INV-1", "payment_type": "Visa", "account_code": "1200",
             "amount": 100, "paid_on": D1},
            {"center_id": c1, "payment_no": "P-2", "invoice_no": "INV-2", "payment_type": "Cash", "account_code": "1300",
             "amount": 50, "paid_on": D1},
            {"center_id": c1, "payment_no": "P-3", "invoice_no": "INV-3", "payment_type": "Amex", "account_code": "4010",
             "amount": 80, "paid_on": D2},
            {"center_id": c2, "payment_no": "XP-1", "invoice_no": "X-1", "payment_type": "Visa", "account_code": "1000",
             "amount": 60, "paid_on": D1},
            {"center_id": c3, "payment_no": "HP-1", "invoice_no": "H-1", "payment_type": "Visa", "amount": 70,
             "paid_on": D1},
        ])
        _insert(conn, misc_journal, [
            {"center_id": c1, "journal_no": "MJ-1", "register": "Front Desk", "kind": "cash_deposit", "journal_date": D1,
             "debit_account_code": "1200", "credit_account_code": "4000", "amount": 300},
            {"center_id": c1, "journal_no": "MJ-2", "register": "Back Office", "kind": "cash_payout", "journal_date": D2,
             "debit_account_code": "1300", "credit_account_code": "4010", "amount": 40},
            {"center_id": c3, "journal_no": "HMJ-1", "kind": "cash_deposit", "journal_date": D1,
             "debit_account_code": "4000", "credit_account_code": "4000", "amount": 10},
        ])
        _insert(conn, sync_document, [
            _doc(c1, "summary_invoice", "S-C1-0301", D1, 150, "failed", attempts=3,
                 last_attempt_at=datetime(2026, 3, 2, 8, 0), raw_response='{"Fault":{"Error":[{"code":"610"}]}}',
                 response_code="610", category="reference_inactive_or_deleted",
                 message="Object Not Found: account 4010 was deleted", reference="4010"),
            _doc(c1, "summary_invoice", "S-C1-0302", D2, 90, "pending", attempts=0, pending_reason="awaiting_schedule"),
            _doc(c1, "invoice", "INV-1", D1, 100, "failed", category="duplicate", message="dup"),  # not counted: Day Wise
            _doc(c1, "payment", "P-1", D1, 100, "processed", external_ref="QB-11"),
            _doc(c1, "payment", "P-2", D1, 50, "failed", category="duplicate", message="Duplicate Document Number Error",
                 reference="P-2"),
            _doc(c1, "payment", "P-3", D2, 80, "pending", attempts=0),
            _doc(c1, "misc_journal", "MJ-1", D1, 300, "processed"),
            _doc(c1, "misc_journal", "MJ-2", D2, 40, "pending", attempts=0),
            _doc(c2, "invoice", "X-1", D1, 60, "processed", external_ref="XERO-77"),
            _doc(c3, "summary_invoice", "S-C3-0301", D1, 70, "failed", category="duplicate", message="dup"),
            _doc(c3, "payment", "HP-1", D1, 70, "failed", category="duplicate", message="dup"),
            _doc(c3, "misc_journal", "HMJ-1", D1, 10, "failed", category="duplicate", message="dup"),
        ])
    return ids


def visible(ids: dict[str, int]) -> tuple[int, ...]:
    return (ids["C1"], ids["C2"])


def test_sale_orders_list_the_documents_sync_status_counts_with_the_agreed_columns(engine):
    ids = seed(engine)
    r = documents.sale_orders(engine, visible(ids), MARCH)
    assert list(r.table.columns) == documents.SALE_ORDER_COLUMNS
    # INV-1 is an invoice on a Day Wise date: Sync Status does not count it, neither does this list
    assert sorted(r.table["Invoice / summary invoice no"]) == ["S-C1-0301", "S-C1-0302", "X-1"]
    x1 = r.table.set_index("Invoice / summary invoice no").loc["X-1"]
    assert (x1["Center"], x1["Type"], x1["Status"], x1["External doc no"]) == ("Beta Spa", "Invoice", "Processed",
                                                                                "XERO-77")
    assert x1["Amount"] == 60.0 and x1["Sync date"] == D1


def test_a_failed_document_shows_category_message_reference_and_fix_hint(engine):
    ids = seed(engine)
    r = documents.sale_orders(engine, visible(ids), MARCH.with_(status="failed"))
    assert list(r.table["Invoice / summary invoice no"]) == ["S-C1-0301"]
    assert r.table.iloc[0]["Response message"] == (
        "Account/item inactive or deleted — Object Not Found: account 4010 was deleted (4010) · "
        + messages.FIX_HINTS["reference_inactive_or_deleted"])
    assert r.table.iloc[0]["Attempts"] == 3


def test_a_failed_summary_referencing_a_deleted_account_is_flagged_and_names_it(engine):
    """Issue 18.3: failed documents with a deleted/inactive reference get the fill and a label naming it."""
    ids = seed(engine)
    r = documents.sale_orders(engine, visible(ids), MARCH.with_(status="failed"))
    row = r.table.iloc[0]
    assert row["Invoice / summary invoice no"] == "S-C1-0301"
    assert row["Deleted in platform"].startswith("⚠ Deleted or inactive in QuickBooks Online")
    assert "account 4010" in row["Deleted in platform"]
    assert row["Will fail"] == ""          # it failed already
    assert r.marks == ["deleted"]


def test_a_pending_summary_referencing_a_deleted_item_is_flagged_will_fail(engine):
    ids = seed(engine)
    r = documents.sale_orders(engine, visible(ids), MARCH.with_(status="pending"))
    row = r.table.iloc[0]
    assert row["Invoice / summary invoice no"] == "S-C1-0302"
    assert row["Will fail"].startswith("⚠ Will fail") and "item SVC2" in row["Will fail"] and "account 4010" in row["Will fail"]
    assert r.marks == ["deleted"]
    only = documents.sale_orders(engine, visible(ids), MARCH, will_fail_only=True)
    assert list(only.table["Invoice / summary invoice no"]) == ["S-C1-0302"]


def test_each_row_drills_to_its_summary_invoice_in_the_same_tab(engine):
    ids = seed(engine)
    r = documents.sale_orders(engine, visible(ids), MARCH)
    pos = list(r.table["Invoice / summary invoice no"]).index("S-C1-0301")
    link = r.link(pos)
    assert link.path == "pages/sale_order_summary_details.py" and link.params == {"invoice": "S-C1-0301"}
    assert r.link(len(r.table)) is None
    assert r.with_open_links()["Open"].iloc[pos] == "/sale_order_summary_details?invoice=S-C1-0301"


def test_a_hidden_center_stays_hidden_even_when_asked_for_by_code(engine):
    ids = seed(engine)
    for fn in (documents.sale_orders, documents.payments, documents.misc_journal_entries):
        r = fn(engine, visible(ids), MARCH.with_(centers=("C3",)))
        assert r.table.empty, fn.__name__
        everyone = fn(engine, visible(ids), MARCH)
        assert "Hidden Clinic" not in set(everyone.table["Center"]), fn.__name__
    failed = documents.failed_documents(engine, visible(ids), MARCH)
    assert "C3" not in set(failed["Center code"])


def test_category_and_platform_filters_narrow_the_list(engine):
    ids = seed(engine)
    dup = documents.sale_orders(engine, visible(ids), MARCH, categories=("duplicate",))
    assert dup.table.empty  # the only duplicate invoice is not counted (Day Wise date)
    xero = documents.sale_orders(engine, visible(ids), MARCH.with_(platforms=("xero",)))
    assert list(xero.table["Invoice / summary invoice no"]) == ["X-1"]
    issues = documents.sale_orders(engine, visible(ids), MARCH.with_(status="issues"))
    assert set(issues.table["Status"]) == {"Failed", "Pending"}


def test_payments_show_their_summary_number_mapped_account_and_own_status(engine):
    ids = seed(engine)
    r = documents.payments(engine, visible(ids), MARCH)
    assert list(r.table.columns) == documents.PAYMENT_COLUMNS
    t = r.table.set_index("Payment no")
    assert t.loc["P-1", "Invoice / summary no"] == "S-C1-0301" and t.loc["XP-1", "Invoice / summary no"] == "X-1"
    assert t.loc["P-1", "Mapped account"] == "1200 · Card Clearing"
    assert t.loc["P-2", "Status"] == "Failed" and t.loc["P-2", "Deleted in platform"] == "Inactive (account 1300)"
    assert t.loc["P-2", "Response message"].startswith("Duplicate document number — Duplicate Document Number Error (P-2) · ")
    assert t.loc["P-3", "Will fail"] == "⚠ Will fail: Deleted in QuickBooks Online (account 4010)"
    deleted = documents.payments(engine, visible(ids), MARCH, deleted_only=True)
    assert sorted(deleted.table["Payment no"]) == ["P-2", "P-3"]
    assert r.link(list(t.index).index("P-2")).params == {"invoice": "S-C1-0301"}


def test_misc_journal_entries_flag_deleted_and_inactive_accounts(engine):
    ids = seed(engine)
    r = documents.misc_journal_entries(engine, visible(ids), MARCH)
    assert list(r.table.columns) == documents.MISC_COLUMNS
    t = r.table.set_index("Journal no")
    assert t.loc["MJ-2", "Deleted in platform"] == "⚠ Deleted in QuickBooks Online (account 4010)"
    assert t.loc["MJ-2", "Will fail"].startswith("⚠ Will fail")
    assert t.loc["MJ-2", "Kind"] == "Cash payout" and t.loc["MJ-2", "Register"] == "Back Office"
    assert t.loc["MJ-1", "Deleted in platform"] == "" and t.loc["MJ-1", "Debit account"] == "1200 · Card Clearing"
    only = documents.misc_journal_entries(engine, visible(ids), MARCH, deleted_only=True)
    assert list(only.table["Journal no"]) == ["MJ-2"] and only.marks == ["deleted"]


def test_failed_documents_export_has_one_row_per_failed_document_with_fix_hint(engine):
    ids = seed(engine)
    failed = documents.failed_documents(engine, visible(ids), MARCH)
    assert list(failed.columns) == documents.FAILED_COLUMNS
    assert sorted(failed["Number"]) == ["INV-1", "P-2", "S-C1-0301"]
    row = failed.set_index("Number").loc["S-C1-0301"]
    assert (row["Kind"], row["Platform"], row["Category"]) == ("Summary invoice", "QuickBooks Online",
                                                               "Account/item inactive or deleted")
    assert row["Fix hint"] == messages.FIX_HINTS["reference_inactive_or_deleted"]
    payments_only = documents.failed_documents(engine, visible(ids), MARCH, kinds=("payment",))
    assert list(payments_only["Number"]) == ["P-2"]
    csv = exports.to_csv_bytes(failed).decode("utf-8-sig")
    assert csv.splitlines()[0] == ",".join(documents.FAILED_COLUMNS)


def test_an_empty_scope_returns_empty_tables_with_the_columns(engine):
    seed(engine)
    assert list(documents.sale_orders(engine, (), MARCH).table.columns) == documents.SALE_ORDER_COLUMNS
    assert documents.payments(engine, (), MARCH).table.empty
    assert documents.failed_documents(engine, (), MARCH).empty


def test_failed_sale_orders_per_center_equal_the_sync_status_failed_invoices(demo_engine):
    from syncstatus.access import all_center_ids
    from tests.conftest import DEMO_END

    all_ids = all_center_ids(demo_engine)
    f = ReportFilters(DEMO_END - timedelta(days=30), DEMO_END)
    report = sync_status.build(demo_engine, all_ids, f)
    listed = documents.sale_orders(demo_engine, all_ids, f.with_(status="failed")).table
    per_center = listed.groupby("Center").size()
    body = report.body.set_index("Center Name")
    assert body["Failed Invoices"].sum() > 0
    for name, row in body.iterrows():
        assert int(per_center.get(name, 0)) == int(row["Failed Invoices"]), name
    assert isinstance(listed["Sync date"].iloc[0], date)
