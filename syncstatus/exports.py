"""CSV and XLSX exports of exactly what a page shows; cells that a spreadsheet would run as formulas are neutralized."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MISSING = "—"  # a missing value (None, NaN, NaT) reads the same in every export, page and email
FAIL_FILL = "FDE2E1"
DELETED_FILL = "FFF1C2"
HEADER_FILL = "1F5FA8"


def neutralize(value):
    """Prefix text that a spreadsheet would evaluate ('=HYPERLINK(…)', '+1…', '@SUM') with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize)
    out.columns = [neutralize(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel opens accented names correctly; a missing value is MISSING."""
    return safe_frame(df).to_csv(index=False, na_rep=MISSING).encode("utf-8-sig")


def to_xlsx_bytes(
    df: pd.DataFrame,
    sheet: str = "Report",
    highlight: Sequence[str | None] | None = None,
    totals_last_row: bool = False,
    title: str | None = None,
    about: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One sheet with a bold header, optional title line, row fills ('failed'/'deleted'), a bold totals row.

    `highlight` holds one entry per row: None, "failed" or "deleted". `about` (label, value) pairs go on a second
    sheet, "About": which report, dates, filters, when and for whom, so the file says what it is once forwarded.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    r = 1
    if title:
        ws.cell(row=1, column=1, value=neutralize(title)).font = Font(bold=True, size=12)
        r = 3
    header_row = r
    for j, col in enumerate(df.columns, start=1):
        c = ws.cell(row=r, column=j, value=neutralize(str(col)))
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    fills = {"failed": PatternFill("solid", fgColor=FAIL_FILL), "deleted": PatternFill("solid", fgColor=DELETED_FILL),
             "warning": PatternFill("solid", fgColor=DELETED_FILL)}
    n = len(df)
    for i, row in enumerate(df.itertuples(index=False), start=0):
        r += 1
        fill = fills.get(highlight[i]) if highlight is not None and i < len(highlight) and highlight[i] else None
        bold = totals_last_row and i == n - 1
        for j, value in enumerate(row, start=1):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                value = MISSING
            elif hasattr(value, "item") and not isinstance(value, str):
                value = value.item()  # numpy scalar -> Python
            c = ws.cell(row=r, column=j, value=neutralize(value))
            if isinstance(value, int | float) and not isinstance(value, bool):
                c.number_format = "#,##0" if isinstance(value, int) else "#,##0.00"
            if fill is not None:
                c.fill = fill
            if bold:
                c.font = Font(bold=True)
    for j, col in enumerate(df.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in df.iloc[:200, j - 1].tolist()]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3 if df.shape[1] > 2 else 1)
    if about:
        info = wb.create_sheet("About")
        for i, (label, value) in enumerate(about, start=1):
            info.cell(row=i, column=1, value=neutralize(str(label))).font = Font(bold=True)
            info.cell(row=i, column=2, value=neutralize(str(value))).alignment = Alignment(wrap_text=True)
        info.column_dimensions["A"].width = 18
        info.column_dimensions["B"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def about_rows(report: str, f, where: str, scope: str, rows: int, generated_at=None) -> list[tuple[str, str]]:
    """The About sheet of an XLSX: report, date range, filters, rows, generated at (UTC), whose scope."""
    from datetime import UTC, datetime

    at = generated_at or datetime.now(UTC)
    out = [("Report", report)]
    if f is not None:
        out.append(("Date range", f"{f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}"))
    out += [("Filters", where or "none (every center in scope)"), ("Rows", f"{rows:,}"),
            ("Generated at", f"{at:%Y-%m-%d %H:%M:%S} UTC"), ("Viewer's scope", scope or "—")]
    return out


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
