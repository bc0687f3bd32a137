"""The drill-down pages as a user drives them (AppTest), on SQLite and PostgreSQL demo data: headers, filters from
the URL (as Sync Status links them), deep links, the not-found message and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from syncstatus import links
from syncstatus.reports import catalog, documents, summary_details
from syncstatus.schema import center, sync_document
from tests.app.conftest import rendered, texts
from tests.conftest import DEMO_END, ROOT

RANGE = {"date_from": (DEMO_END - timedelta(days=30)).isoformat(), "date_to": DEMO_END.isoformat()}


def open_page(name: str, params: dict | None = None, as_user: str = "admin") -> AppTest:
    """Run the app the way a browser does (entrypoint, then the page), signed in, with URL parameters."""
    from syncstatus.access import viewer_for
    from syncstatus.config import load_settings
    from syncstatus.db import create_db_engine
    from syncstatus.ui.state import StateKeys

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    engine = create_db_engine(load_settings().database_url)
    at.session_state[StateKeys.VIEWER] = viewer_for(engine, as_user)
    engine.dispose()
    at.run()
    at.switch_page(f"pages/{name}.py")
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def frame(at: AppTest, i: int = 0):
    v = at.dataframe[i].value
    return v.data if hasattr(v, "data") else v


PAGES = [
    ("sale_orders", "Sale Orders", documents.SALE_ORDER_COLUMNS + ["Open"]),
    ("payments", "Payments", documents.PAYMENT_COLUMNS + ["Open"]),
    ("misc_journal_entries", "Misc Journal Entries", documents.MISC_COLUMNS),
    ("items", "Items", catalog.ITEM_COLUMNS + ["Open"]),
    ("chart_of_accounts", "Chart of Accounts", catalog.ACCOUNT_COLUMNS + ["Open"]),
]


@pytest.mark.parametrize("name, title, columns", PAGES)
def test_each_list_page_shows_its_title_and_exact_columns(app_db, name, title, columns):
    at = open_page(name, RANGE)
    assert not at.exception
    assert at.title[0].value == title
    assert list(frame(at).columns) == columns
    assert {b.label for b in at.get("download_button")} >= {"CSV", "XLSX", "Failed CSV", "Failed XLSX"}


def first_center(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(center.c.code, center.c.name).order_by(center.c.code)).first()


def test_the_sync_status_drill_link_lands_on_the_centers_failed_sale_orders(app_db):
    c = first_center(app_db)
    link = links.center_documents(c.code, DEMO_END - timedelta(days=30), DEMO_END, "failed")
    at = open_page("sale_orders", link.params)
    assert not at.exception
    df = frame(at)
    assert len(df) > 0
    assert set(df["Center"]) == {c.name} and set(df["Status"]) == {"Failed"}
    assert at.selectbox(key="status").value == "failed"
    assert at.multiselect(key="center").value == [c.code]


def test_misc_journal_drill_honours_center_status_and_platform(app_db):
    with app_db.connect() as conn:
        row = conn.execute(sa.select(center.c.code, center.c.name, center.c.platform)
                           .join(sync_document, sync_document.c.center_id == center.c.id)
                           .where(sync_document.c.kind == "misc_journal", sync_document.c.status == "failed")
                           .limit(1)).first()
    params = {**RANGE, "center": row.code, "status": "failed", "platform": row.platform}
    at = open_page("misc_journal_entries", params)
    assert not at.exception
    df = frame(at)
    assert set(df["Center"]) == {row.name} and set(df["Status"]) == {"Failed"}


def test_the_deleted_filter_in_the_url_keeps_only_flagged_rows(app_db):
    at = open_page("chart_of_accounts", {"deleted": "true"})
    assert not at.exception
    df = frame(at)
    assert len(df) > 0 and all(df["Deleted in platform"] != "")
    assert at.checkbox(key="deleted").value is True


def a_failed_summary(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(sync_document.c.document_no)
                            .where(sync_document.c.kind == "summary_invoice", sync_document.c.status == "failed")
                            .order_by(sync_document.c.document_no)).scalars().first()


def test_a_deep_link_opens_one_summary_invoice_with_orders_lines_payments_and_tie_out(app_db):
    number = a_failed_summary(app_db)
    at = open_page("sale_order_summary_details", {"invoice": number})
    assert not at.exception
    assert at.title[0].value == "Sale Order Summary Details"
    assert any(number in rendered(s.value) for s in at.subheader)
    assert [s.value for s in at.subheader][1:] == ["Sale orders", "Lines", "Payments"]
    assert list(frame(at, 0).columns) == summary_details.ORDER_COLUMNS
    assert list(frame(at, 1).columns) == summary_details.LINE_COLUMNS
    assert list(frame(at, 2).columns) == summary_details.PAYMENT_COLUMNS
    assert "Tie-out" in texts(at)
    assert at.error[0].value.count(" — ") >= 1  # the structured response message of the failed summary
    # the center's name is text of its own, never a metric value cut at the column's width
    assert not [m for m in at.metric if m.label == "Center"]
    with app_db.connect() as conn:
        name = conn.execute(sa.select(center.c.name).join(sync_document, sync_document.c.center_id == center.c.id)
                            .where(sync_document.c.document_no == number)).scalars().first()
    assert f"**Center:** {name}" in [rendered(m.value) for m in at.markdown]


def test_an_unknown_number_and_a_hidden_number_give_the_same_message(app_db):
    at = open_page("sale_order_summary_details", {"invoice": "NO-SUCH-1"})
    assert not at.exception
    assert rendered(at.error[0].value) == "No summary invoice or invoice numbered NO-SUCH-1 in your centers."
    with app_db.connect() as conn:
        other = conn.execute(sa.select(sync_document.c.document_no).join(center, center.c.id == sync_document.c.center_id)
                             .where(sync_document.c.kind == "summary_invoice", center.c.code != first_center(app_db).code)
                             .limit(1)).scalar_one()
    hidden = open_page("sale_order_summary_details", {"invoice": other},
                       as_user=f"center.{first_center(app_db).code.lower()}")
    assert not hidden.exception
    assert rendered(hidden.error[0].value) == summary_details.not_found_message(other)


@pytest.mark.parametrize("name", ["sale_orders", "payments", "misc_journal_entries", "items", "chart_of_accounts",
                                  "sale_order_summary_details"])
def test_bad_url_values_never_crash_a_page(app_db, name):
    bad = {"date_from": "'; DROP TABLE center; --", "status": "<script>", "center": "../../etc/passwd",
           "category": "nonsense", "deleted": "maybe", "invoice": "x" * 500}
    at = open_page(name, bad)
    assert not at.exception
    assert at.title


def test_a_summary_page_without_a_number_explains_what_to_do(app_db):
    at = open_page("sale_order_summary_details")
    assert not at.exception
    assert "Open a summary invoice from Sale Orders or Payments" in at.info[0].value


def test_a_range_without_documents_explains_itself(app_db):
    at = open_page("sale_orders", {"date_from": "2001-01-01", "date_to": "2001-01-31"})
    assert not at.exception
    assert "No invoices or summary invoices match these filters" in texts(at)
