"""Tables: number formats, row highlighting, the refresh/download toolbar, and cell-click drill-down."""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Callable, Sequence
from datetime import datetime

import pandas as pd
import streamlit as st

from syncstatus import audit, exports, links
from syncstatus.reports.filters import ReportFilters, to_params
from syncstatus.ui import data
from syncstatus.ui.state import StateKeys

FILLS = {"failed": "background-color: #fde2e1", "deleted": "background-color: #fff1c2",
         "warning": "background-color: #fff1c2", "total": "background-color: #e8eef7; font-weight: bold"}


def filters_key(f: ReportFilters) -> str:
    """Part of a table's widget key: a new selection state whenever the filters change (GH#17026)."""
    return hashlib.sha1(repr(f).encode()).hexdigest()[:10]


def highlight_rows(df: pd.DataFrame, marks: Sequence[bool | str | None], kind: str = "failed"):
    """A Styler that shades marked rows; a mark may be True (use `kind`) or a kind name."""
    styles = []
    for m in marks:
        k = kind if m is True else (m or None)
        styles.append(FILLS.get(k, "") if k else "")

    def _row(row):
        return [styles[row.name]] * len(row) if row.name < len(styles) else [""] * len(row)

    frame = df.reset_index(drop=True)
    styler = frame.style.apply(_row, axis=1)
    # A missing value reads "—" (not None / NaT / nan): only the columns that have one get a display format.
    gaps = [c for c in frame.columns if frame[c].isna().any()]
    money = [c for c in gaps if pd.api.types.is_float_dtype(frame[c])]
    if money:
        styler = styler.format("{:,.2f}", subset=money, na_rep=exports.MISSING)
    others = [c for c in gaps if c not in money]
    if others:
        styler = styler.format(_shown, subset=others)
    return styler


def _shown(value) -> str:
    """A cell as text: MISSING when empty, a timestamp to the second, anything else as str."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return exports.MISSING
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    return str(value)


# Sync Status headers: short enough for every column to show whole at 1600 px, distinct, full name on hover.
SYNC_STATUS_LABELS = {"Total Invoices": "Invoices", "Processed Invoices": "Inv. processed",
                      "Pending Invoices": "Inv. pending", "Failed Invoices": "Inv. failed",
                      "Total Misc. Journals": "Journals", "Processed Misc. Journals": "Jnl. processed",
                      "Pending Misc. Journals": "Jnl. pending", "Failed Misc. Journals": "Jnl. failed"}
# Explicit widths for every other column: the totals table above the centers lines up with them.
SYNC_STATUS_WIDTHS = {"Zone": 80, "Center Name": 210, "Response message": 520}


def sync_status_config(count_columns: Sequence[str]) -> dict:
    """The column configuration of the Sync Status centers table and of its totals table above it."""
    return count_config(count_columns, pinned=("Zone", "Center Name"), wide=("Response message",),
                        labels=SYNC_STATUS_LABELS, widths=SYNC_STATUS_WIDTHS)


def header_width(label: str) -> int:
    """Pixels a column needs to show the header `label` whole: the grid's 14 px header font averages under 7.5 px
    a character at most; the rest is the cell padding on both sides and a little room."""
    return round(7 * len(label)) + 26


def count_config(count_columns: Sequence[str], pinned: Sequence[str] = (), wide: Sequence[str] = (),
                 money: Sequence[str] = (), labels: dict[str, str] | None = None,
                 widths: dict[str, int | str] | None = None) -> dict:
    """Column configuration: counts localized, money to the cent, `pinned` columns fixed on the left, `wide`
    ones large. `labels` gives a column a shorter header than its name (the full name shows on hover, and the
    column is made wide enough for the short one); `widths` sets widths outright."""
    labels = labels or {}
    widths = widths or {}

    def opts(c: str) -> dict:
        label = labels.get(c, c)
        o: dict = {"label": label}
        if c in labels:
            o.update(help=c, width=header_width(label))
        if c in widths:
            o["width"] = widths[c]
        return o

    cfg: dict = {c: st.column_config.NumberColumn(**{"width": "small", **opts(c)}, format="localized")
                 for c in count_columns}
    cfg.update({c: st.column_config.NumberColumn(**opts(c), format="%.2f") for c in money})
    cfg.update({c: st.column_config.TextColumn(**opts(c), pinned=True) for c in pinned})
    cfg.update({c: st.column_config.TextColumn(**{"width": "large", **opts(c)}) for c in wide})
    for c in set(labels) | set(widths):
        cfg.setdefault(c, st.column_config.Column(**opts(c)))
    return cfg


def toolbar(table: pd.DataFrame, name: str, f: ReportFilters | None = None, *,
            highlight: Sequence[str | None] | None = None, totals_last_row: bool = False,
            title: str | None = None, filters: ReportFilters | None = None) -> None:
    """Refresh, 'data as of', and CSV/XLSX downloads of exactly the table shown. `f` also dates the file name;
    `filters` are audited instead when the file name has no dates (catalog pages)."""
    c1, c2, c3, c4 = st.columns([1, 2.4, 1, 1])
    # The callback clears the cache before the rerun the click starts: one run, with fresh data.
    c1.button("Refresh", icon=":material/refresh:", key=f"refresh_{name}",
              help="Re-read the database (clears cached results)", on_click=data.refresh)
    as_of = data.data_as_of() or datetime.now().replace(microsecond=0)
    c2.caption(f"Data as of {as_of:%Y-%m-%d %H:%M:%S}")
    stem = name
    if f is not None:
        stem = f"{name}_{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}"
    audited = f if f is not None else filters
    download(c3, "CSV", table, report=name, f=audited, file_name=f"{stem}.csv", key=f"csv_{name}")
    about = about_sheet(title or name, audited, len(table))
    download(c4, "XLSX", table, report=name, f=audited, file_name=f"{stem}.xlsx", key=f"xlsx_{name}",
             to_bytes=lambda: exports.to_xlsx_bytes(table, sheet=name, highlight=highlight,
                                                    totals_last_row=totals_last_row, title=title, about=about))


def about_sheet(report: str, f: ReportFilters | None, rows: int) -> list[tuple[str, str]]:
    """The XLSX About sheet for the viewer's current view (filters named as the email subject names them)."""
    from syncstatus import mail
    from syncstatus.reports import filters as rfilters

    viewer = st.session_state.get(StateKeys.VIEWER)
    where = ""
    if f is not None:
        directory = data.cached(rfilters.center_directory)(tuple(getattr(viewer, "center_ids", ()) or ()))
        full = mail.describe_filters(f, directory)   # "01 Nov 2026 – 30 Nov 2026; zones: Central; …"
        where = full.split("; ", 1)[1] if "; " in full else ""
    scope = getattr(viewer, "scope_label", "") or ""
    who = getattr(viewer, "username", "")
    return exports.about_rows(report, f, where, f"{scope} ({who})" if who else scope, rows)


def download(container, label: str, table: pd.DataFrame, *, report: str, file_name: str, key: str,
             f: ReportFilters | None = None, to_bytes: Callable[[], bytes] | None = None, detail: dict | None = None,
             disabled: bool = False) -> None:
    """A CSV/XLSX download button (by `file_name`'s extension) that writes an `export` audit event (who, which
    report, filters, rows) each time the file is served. Every download of the dashboard goes through here.

    The file is built when the button is clicked (a deferred download), on a thread of its own without the
    session: who is downloading is read now. The event is written before the file is built; if it cannot be
    written the download fails, so no export goes unrecorded."""
    fmt = file_name.rsplit(".", 1)[-1].lower()
    build = to_bytes or (lambda: exports.to_csv_bytes(table))
    viewer = st.session_state.get(StateKeys.VIEWER)
    username = getattr(viewer, "username", None)
    engine = data.engine()
    event = {"report": report, "format": fmt, "file": file_name, "rows": len(table),
             "filters": to_params(f) if f is not None else {}, **(detail or {})}

    def serve() -> bytes:
        audit.record(engine, username, "export", event)
        return build()

    container.download_button(label, serve, file_name=file_name, mime="text/csv" if fmt == "csv" else exports.XLSX_MIME,
                              icon=":material/download:", key=key, on_click="ignore", disabled=disabled)


def selected_cell(event) -> tuple[int, str] | None:
    """(row position, column name) of a single-cell selection, or None."""
    try:
        cells = event["selection"]["cells"]
    except (KeyError, TypeError):
        cells = getattr(getattr(event, "selection", None), "cells", None)
    if not cells:
        return None
    row, col = cells[0][0], cells[0][1]
    return int(row), str(col)


def sync_status_drill(event, report, f: ReportFilters, *, totals: bool = False) -> links.Link | None:
    """Turn a clicked cell of the Sync Status table into the documents behind it. `totals`: the event is of the
    one-row totals table the page shows above the centers (its row 0 is the report's totals row)."""
    cell = selected_cell(event)
    if cell is None:
        return None
    row, column = cell
    if totals:
        row = len(report.centers)
    status = next((s for s in ("processed", "pending", "failed") if column.lower().startswith(s)), None)
    if column.startswith("Total "):
        status = "counted"   # a total counts processed + pending + failed, never archived documents
    kind = "misc_journals" if "Misc. Journals" in column else "invoices"
    if row >= len(report.centers):  # the totals row: every center of the selection
        centers = list(report.centers["center_code"])
        center = centers if len(centers) <= 50 else None
    else:
        center = report.centers.iloc[row]["center_code"]
        if status is None and column in ("Zone", "Center Name", "Mode", "Response message"):
            # A center's own cells open its failures: the invoices, or the misc. journals when only those failed.
            r = report.table.iloc[row]
            status = "failed" if r["Failed Invoices"] or r["Failed Misc. Journals"] else None
            if not r["Failed Invoices"] and r["Failed Misc. Journals"]:
                kind = "misc_journals"
    params = {links.Param.CENTER: center, links.Param.DATE_FROM: f.date_from, links.Param.DATE_TO: f.date_to,
              links.Param.STATUS: status}
    if f.platforms:
        params[links.Param.PLATFORM] = list(f.platforms)
    return links.to("misc_journal_entries" if kind == "misc_journals" else "sale_orders", **params)


def with_missing_shown(df: pd.DataFrame, columns: Sequence[str], fmt: str = "%Y-%m-%d %H:%M") -> pd.DataFrame:
    """A copy whose `columns` are text: dates/times formatted, numbers as they are, and a missing value as
    exports.MISSING ("—") instead of the grid's own grey "None"."""
    out = df.copy()
    for c in columns:
        if c in out.columns:
            out[c] = [exports.MISSING if v is None or (not isinstance(v, str) and pd.isna(v))
                      else (v.strftime(fmt) if hasattr(v, "strftime") else str(v)) for v in out[c]]
    return out


# --- drill-down tables of the document pages (Sale Orders, Payments, Summary Details, Items, Chart of Accounts) ---

OPEN_COLUMN = "Open"


def table_key(name: str, f: ReportFilters, *extra) -> str:
    """A dataframe key that changes with the filters and any page-specific options (GH#17026)."""
    return f"{name}_{filters_key(f)}_{hashlib.sha1(repr(extra).encode()).hexdigest()[:8]}"


def drill_table(result, name: str, f: ReportFilters, *, number_column: str | None = None, extra: tuple = (),
                counts: Sequence[str] = (), money: Sequence[str] = (), wide: Sequence[str] = (),
                pinned: Sequence[str] = (), dates: Sequence[str] = (), datetimes: Sequence[str] = ()) -> None:
    """Draw a reports.documents.DocumentTable: rows shaded by their marks; a click on a cell of `number_column`
    opens that invoice / summary invoice in the same tab; an extra "Open" link column opens it in a new tab."""
    display = result.with_open_links(OPEN_COLUMN) if number_column else result.table
    cfg = count_config(counts, pinned=pinned, wide=wide, money=money)
    cfg.update({c: st.column_config.DateColumn(c, format="YYYY-MM-DD") for c in dates})
    cfg.update({c: st.column_config.DatetimeColumn(c, format="YYYY-MM-DD HH:mm") for c in datetimes})
    if number_column:
        cfg[OPEN_COLUMN] = st.column_config.LinkColumn(OPEN_COLUMN, display_text="Open ↗", width="small",
                                                       help="Open in a new tab")
    readable = [c for c in wide if c in display.columns]
    event = st.dataframe(
        highlight_rows(display, result.marks),
        key=table_key(name, f, *extra),
        on_select="rerun" if number_column or readable else "ignore",
        selection_mode="single-cell",
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(display), 1), 600),
        column_config=cfg,
    )
    cell = selected_cell(event)
    if cell is not None and number_column and cell[1] == number_column:
        target = result.link(cell[0])  # the position becomes a number at once
        if target is not None:
            st.switch_page(target.path, query_params=target.params)
    if readable:
        cell_in_full(display, cell, readable, number_column)


def cell_in_full(table: pd.DataFrame, cell: tuple[int, str] | None, columns: Sequence[str],
                 row_name: str | None = None) -> None:
    """Under a table: the whole text of a clicked cell of `columns` (a platform's message is longer than its
    column), or how to get it. Shown as code: the data's text, never markdown."""
    if cell is None or cell[1] not in columns or not 0 <= cell[0] < len(table):
        st.caption(f"Click a cell of {' or '.join(columns)} to read it in full below the table.")
        return
    row, column = cell
    value = table.iloc[row][column]
    whose = f" of {escape_markdown(table.iloc[row][row_name])}" if row_name and row_name in table.columns else ""
    st.caption(f"{escape_markdown(column)}{whose}, in full:")
    st.code(_shown(value), language=None, wrap_lines=True)


def failed_downloads(failed: pd.DataFrame, name: str, f: ReportFilters | None = None, *,
                     filters: ReportFilters | None = None, detail: dict | None = None) -> None:
    """CSV/XLSX of the failed documents behind a view, one row each, ready for reprocessing (`f`, `filters`: as
    for toolbar; `detail`: more for the audit event, such as the invoice number)."""
    stem = f"failed_{name}" + (f"_{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}" if f is not None else "")
    c1, c2, c3 = st.columns([2.4, 1, 1])
    c1.caption(f":material/build: {len(failed):,} failed documents in this view, with category and fix hint "
               "for reprocessing")
    audited = f if f is not None else filters
    about = about_sheet(f"Failed documents ({name})", audited, len(failed))
    download(c2, "Failed CSV", failed, report=f"failed_{name}", f=audited, file_name=f"{stem}.csv",
             key=f"failed_csv_{name}", detail=detail, disabled=failed.empty)
    download(c3, "Failed XLSX", failed, report=f"failed_{name}", f=audited, file_name=f"{stem}.xlsx",
             key=f"failed_xlsx_{name}", detail=detail, disabled=failed.empty,
             to_bytes=lambda: exports.to_xlsx_bytes(failed, sheet="Failed documents", about=about))


# Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and escaping all of them also
# breaks entities (&lt;), Streamlit's :color[…] directives and list or heading markers.
_MARKDOWN_PUNCTUATION = frozenset(string.punctuation)
# GFM links bare URLs and addresses (https://…, www.…, a@b.org) after escapes are resolved, so an escape cannot
# stop them: an invisible word joiner inside the pattern does.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def escape_markdown(text) -> str:
    """Any value from data or the URL (a name, a code, a platform's message, a parameter), shown literally by
    whatever renders markdown: st.markdown/caption/error/warning/info/success/toast, metric labels and values,
    button and page_link labels. Never a link, an image, HTML or formatting."""
    joined = _AUTOLINK.sub(WORD_JOINER, str(text))
    return "".join("\\" + ch if ch in _MARKDOWN_PUNCTUATION else ch for ch in joined)


def drill_to(link: links.Link) -> None:
    """Same-tab drill-down: the target page's filter widgets read the link's parameters from the URL."""
    st.switch_page(link.path, query_params=link.params)
