"""Every CSV/XLSX download is audited: who, which report, its filters and row count (docs/SECURITY.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import sqlalchemy as sa

from syncstatus import db
from syncstatus.schema import audit_event, center
from tests.e2e.conftest import assert_no_exception, sign_in, wait_idle

RANGE = "date_from=2026-11-01&date_to=2026-11-20"


def export_events(database_url: str, username: str) -> list[dict]:
    engine = db.create_db_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_event.c.detail).where(audit_event.c.action == "export",
                                                                   audit_event.c.username == username)
                            .order_by(audit_event.c.id)).scalars().all()
    engine.dispose()
    return [json.loads(r) for r in rows]


def test_each_csv_and_xlsx_download_writes_an_export_event_with_report_filters_and_rows(server, page):
    engine = db.create_db_engine(server.database_url)
    with engine.connect() as conn:
        code = conn.execute(sa.select(center.c.code).order_by(center.c.id)).scalar()
    engine.dispose()
    user = f"center.{code.lower()}"
    before = len(export_events(server.database_url, user))
    page.goto(f"{server.url}/sync_status?{RANGE}")
    sign_in(page, user, "demo-center")
    assert_no_exception(page)
    files = {}
    for label in ("CSV", "XLSX"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label, exact=True).first.click()
        files[label] = download.value
    csv = pd.read_csv(io.BytesIO(Path(files["CSV"].path()).read_bytes()), encoding="utf-8-sig")
    xlsx = openpyxl.load_workbook(io.BytesIO(Path(files["XLSX"].path()).read_bytes())).active
    assert files["CSV"].suggested_filename == "sync_status_20261101-20261120.csv"
    assert len(csv) >= 2 and xlsx.max_row >= 3

    events = export_events(server.database_url, user)[before:]
    assert [(e["report"], e["format"]) for e in events] == [("sync_status", "csv"), ("sync_status", "xlsx")]
    for e in events:
        assert e["rows"] == len(csv)
        assert e["filters"] == {"date_from": "2026-11-01", "date_to": "2026-11-20"}
    wait_idle(page)
    assert_no_exception(page)
