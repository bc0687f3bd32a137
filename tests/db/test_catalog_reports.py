"""Items and Chart of Accounts: deleted / inactive flags, reference counts and the latest failed invoice."""

from __future__ import annotations

from syncstatus.reports import catalog
from syncstatus.reports.filters import ReportFilters
from tests.db.test_documents_reports import MARCH, seed, visible


def test_items_show_mapping_status_deleted_flag_and_how_many_lines_use_them(engine):
    ids = seed(engine)
    r = catalog.items(engine, visible(ids), MARCH)
    assert list(r.table.columns) == catalog.ITEM_COLUMNS
    t = r.table[r.table["Center"] == "Alpha Salon"].set_index("Code")
    assert t.loc["SVC2", "Deleted in platform"] == "⚠ Deleted in QuickBooks Online (item SVC2)"
    assert t.loc["SVC3", "Deleted in platform"] == "⚠ Deleted in QuickBooks Online (account 4010)"
    assert t.loc["SVC1", "Deleted in platform"] == ""
    assert t.loc["SVC3", "Status"] == "Failed"
    assert t.loc["SVC3", "Response message"].startswith("Mapping missing — Name 'Colour'")
    assert t.loc["SVC3", "Mapped item type"] == "— not mapped"
    assert (t.loc["SVC1", "Documents"], t.loc["SVC2", "Documents"]) == (1, 1)


def test_items_link_to_the_latest_failed_summary_invoice_that_uses_them(engine):
    ids = seed(engine)
    r = catalog.items(engine, visible(ids), MARCH)
    pos = [i for i, (c, code) in enumerate(zip(r.table["Center"], r.table["Code"], strict=True))
           if (c, code) == ("Alpha Salon", "SVC3")][0]
    assert r.table.iloc[pos]["Latest failed invoice"] == "S-C1-0301"
    assert r.link(pos).params == {"invoice": "S-C1-0301"}


def test_the_deleted_filter_keeps_only_flagged_items_and_accounts(engine):
    ids = seed(engine)
    items = catalog.items(engine, visible(ids), MARCH, deleted_only=True)
    assert sorted(items.table["Code"]) == ["SVC2", "SVC3"] and set(items.marks) == {"deleted"}
    accounts = catalog.accounts(engine, visible(ids), MARCH, deleted_only=True)
    assert sorted(accounts.table["Code"]) == ["1300", "4010"]


def test_accounts_show_flags_and_count_documents_and_mappings_referencing_them(engine):
    ids = seed(engine)
    r = catalog.accounts(engine, visible(ids), MARCH)
    assert list(r.table.columns) == catalog.ACCOUNT_COLUMNS
    t = r.table[r.table["Center"] == "Alpha Salon"].set_index("Code")
    assert t.loc["4010", "Deleted in platform"] == "⚠ Deleted in QuickBooks Online"
    assert t.loc["1300", "Deleted in platform"] == "Inactive" and not t.loc["1300", "Active"]
    # 4010: line of INV-2 via item SVC3, payment P-3, MJ-2 credit, item mapping SVC3
    assert (t.loc["4010", "Lines"], t.loc["4010", "Payments"], t.loc["4010", "Misc. journals"],
            t.loc["4010", "Item mappings"], t.loc["4010", "Documents"]) == (1, 1, 1, 1, 3)
    # 1200: payment P-1, MJ-1 debit
    assert (t.loc["1200", "Payments"], t.loc["1200", "Misc. journals"]) == (1, 1)
    assert t.loc["4010", "Latest failed invoice"] == "S-C1-0301"


def test_catalog_pages_never_show_hidden_centers(engine):
    ids = seed(engine)
    hidden_asked = ReportFilters(MARCH.date_from, MARCH.date_to, centers=("C3",))
    assert catalog.items(engine, visible(ids), hidden_asked).table.empty
    assert catalog.accounts(engine, visible(ids), hidden_asked).table.empty
    assert "Hidden Clinic" not in set(catalog.accounts(engine, visible(ids), MARCH).table["Center"])


def test_failed_references_export_covers_every_date_for_mapping_and_deleted_causes(engine):
    ids = seed(engine)
    out = catalog.failed_references(engine, visible(ids), ReportFilters(MARCH.date_from, MARCH.date_from))
    assert list(out["Number"]) == ["S-C1-0301"]
