"""The Sync Status report shows each center's mode for the range (issue 21 item 6), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters
from tests.db.test_report_rules import FILES, MARCH, book, rows  # noqa: F401  (book is a fixture)

SWITCHED = {**FILES, "sync_configs.csv": ("center_code,effective_from,sync_type\nC1,2024-03-05,invoice_wise\n"
                                          "C3,2024-01-01,day_wise\nC3,2024-03-12,invoice_wise\n")}


def test_each_center_shows_its_mode_and_a_switch_within_the_range(engine, tmp_path):
    from syncstatus import ingest
    from syncstatus.reports.filters import center_directory
    from tests.db.test_report_rules import write_bundle

    summary = ingest.import_bundle(engine, write_bundle(tmp_path / "b", SWITCHED), rejections_dir=tmp_path / "rej")
    assert summary.status == "succeeded", summary.error
    ids = tuple(int(x) for x in center_directory(engine, tuple(range(1, 10)))["center_id"])
    report = sync_status.build(engine, ids, MARCH)
    assert list(report.table.columns) == sync_status.COLUMNS
    body = rows(report)
    assert body.loc["Alpha", "Mode"] == "Invoice Wise"            # 03-01..03-04 unconfigured count Invoice Wise
    assert body.loc["Bravo", "Mode"] == sync_status.UNCONFIGURED_MODE
    assert body.loc["Charlie", "Mode"] == "Day Wise → Invoice Wise (switched on 12 Mar)"
    assert report.totals["Mode"] == ""
    before = rows(sync_status.build(engine, ids, ReportFilters(date(2024, 3, 1), date(2024, 3, 11))))
    assert before.loc["Charlie", "Mode"] == "Day Wise"
    after = rows(sync_status.build(engine, ids, ReportFilters(date(2024, 3, 12), date(2024, 3, 31))))
    assert after.loc["Charlie", "Mode"] == "Invoice Wise"


def test_the_mode_is_in_the_exports_as_on_screen(book):  # noqa: F811
    import csv
    import io

    from openpyxl import load_workbook

    from syncstatus import exports

    engine, ids = book
    report = sync_status.build(engine, ids, MARCH)
    back = list(csv.DictReader(io.StringIO(exports.to_csv_bytes(report.table).decode("utf-8-sig"))))
    assert [r["Mode"] for r in back] == list(report.table["Mode"])
    assert "Day Wise" in [r["Mode"] for r in back]
    ws = load_workbook(io.BytesIO(exports.to_xlsx_bytes(report.table))).active
    header = [c.value for c in ws[1]]
    assert header == sync_status.COLUMNS
    mode_col = header.index("Mode")
    assert [r[mode_col].value for r in ws.iter_rows(min_row=2)][:-1] == list(report.body["Mode"])

