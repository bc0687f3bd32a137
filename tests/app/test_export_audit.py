"""Every download button of every page writes an `export` audit event when its file is served: who, which
report, the filters and the row count. The browser test (tests/e2e/test_export_audit.py) clicks them for real;
here each page's buttons are served the way the browser asks for them (the deferred file callable)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import app_test

from syncstatus.schema import audit_event, center, sync_document
from tests.app.conftest import open_page
from tests.conftest import DEMO_END

RANGE = {"date_from": (DEMO_END - timedelta(days=30)).isoformat(), "date_to": DEMO_END.isoformat()}


@pytest.fixture
def media(monkeypatch):
    """The media file managers of AppTest runs (the last one serves the last run's downloads)."""
    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    return managers


def exports(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_event.c.username, audit_event.c.detail)
                            .where(audit_event.c.action == "export").order_by(audit_event.c.id)).all()
    return [{"username": u, **json.loads(d)} for u, d in rows]


def _summary_invoice(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(sync_document.c.document_no).where(sync_document.c.status == "failed")
                            .order_by(sync_document.c.id).limit(1)).scalar()


PAGES = ["sync_status", "sale_orders", "payments", "items", "chart_of_accounts", "misc_journal_entries",
         "operations", "trends", "audit", "sale_order_summary_details"]


@pytest.mark.parametrize("page", PAGES)
def test_every_download_on_the_page_is_audited_with_who_what_filters_and_rows(app_db, media, page):
    params = {"invoice": _summary_invoice(app_db)} if page == "sale_order_summary_details" else RANGE
    at = open_page(page, params=params)
    assert not at.exception
    buttons = [b for b in at.get("download_button") if not b.proto.disabled]
    assert buttons, "no download on the page"
    before = len(exports(app_db))
    for b in buttons:
        media[-1].execute_deferred(b.proto.deferred_file_id)
    events = exports(app_db)[before:]
    assert len(events) == len(buttons), "a download was served without an export event"
    for e in events:
        assert e["username"] == "admin" and e["report"] and isinstance(e["rows"], int)
        assert e["format"] == e["file"].rsplit(".", 1)[1] and e["format"] in ("csv", "xlsx")
        if page == "sale_order_summary_details":
            assert e["invoice"] == params["invoice"]
        elif page != "audit":
            assert "date_from" in e["filters"] and "date_to" in e["filters"]


def test_a_center_users_download_names_them_and_counts_only_their_rows(app_db, media):
    with app_db.connect() as conn:
        code = conn.execute(sa.select(center.c.code).order_by(center.c.id)).scalar()
    user = f"center.{code.lower()}"
    at = open_page("sync_status", as_user=user, params=RANGE)
    before = len(exports(app_db))
    [csv] = [b for b in at.get("download_button") if b.proto.label == "CSV"]
    media[-1].execute_deferred(csv.proto.deferred_file_id)
    [event] = exports(app_db)[before:]
    assert event["username"] == user and event["report"] == "sync_status" and event["format"] == "csv"
    assert event["rows"] == 2  # the user's one center and the totals row


def test_the_xlsx_states_its_report_dates_filters_time_and_scope(app_db, media):
    import io

    from openpyxl import load_workbook

    from syncstatus.schema import zone

    with app_db.connect() as conn:
        z = conn.execute(sa.select(zone.c.code, zone.c.name).order_by(zone.c.code)).first()
    at = open_page("sync_status", params={**RANGE, "zone": z.code})
    assert not at.exception
    [xlsx] = [b for b in at.get("download_button") if b.proto.label == "XLSX"]
    data = media[-1]._deferred_callables[xlsx.proto.deferred_file_id]["callable"]()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[-1] == "About"
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["Report"] == "Integrations Sync Status"
    assert about["Date range"] == f"{DEMO_END - timedelta(days=30):%d %b %Y} – {DEMO_END:%d %b %Y}"
    assert about["Filters"] == f"zones: {z.name}"
    assert about["Generated at"].endswith(" UTC") and "Organization admin" in about["Viewer's scope"]
    assert about["Rows"] == str(book.worksheets[0].max_row - 3)  # title, blank line, header
