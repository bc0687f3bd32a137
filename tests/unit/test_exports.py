"""Exports: exactly the table shown, formulas neutralized, highlighting and totals kept in XLSX."""

import io

import pandas as pd
from openpyxl import load_workbook

from syncstatus import exports


def sample():
    return pd.DataFrame({
        "Center Name": ["=HYPERLINK(\"http://evil\")", "Lakeside Spa", "Total"],
        "Failed Invoices": [3, 0, 3],
        "Response message": ["+1 failed", "@SUM(A1)", "-2"],
    })


def test_csv_neutralizes_cells_a_spreadsheet_would_run_as_formulas():
    text = exports.to_csv_bytes(sample()).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    assert back["Center Name"][0].startswith("'=")
    assert back["Response message"].tolist() == ["'+1 failed", "'@SUM(A1)", "'-2"]
    assert back["Failed Invoices"].tolist() == [3, 0, 3]  # numbers stay numbers


def test_xlsx_keeps_headers_totals_row_and_highlighting():
    data = exports.to_xlsx_bytes(sample(), highlight=["failed", None, None], totals_last_row=True)
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == ["Center Name", "Failed Invoices", "Response message"]
    assert ws["A2"].value.startswith("'=") and ws["A2"].data_type == "s"
    assert ws["A2"].fill.fgColor.rgb.endswith(exports.FAIL_FILL)
    assert not ws["A3"].fill.fgColor.rgb.endswith(exports.FAIL_FILL)
    assert ws["A4"].font.bold and ws["B4"].value == 3
    assert ws["B2"].number_format == "#,##0"


def test_xlsx_with_a_title_puts_the_header_on_row_three():
    ws = load_workbook(io.BytesIO(exports.to_xlsx_bytes(sample(), title="Sync Status 2026-01-01"))).active
    assert ws["A1"].value == "Sync Status 2026-01-01"
    assert ws["A3"].value == "Center Name"


def test_plain_text_is_left_alone():
    assert exports.neutralize("Lakeside Spa") == "Lakeside Spa"
    assert exports.neutralize(-5) == -5
