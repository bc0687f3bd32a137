"""The Integrations Sync Status report: one row per center with a sync job or with documents, counts from the rollups.

A center with documents on dates before its first sync configuration (or with none at all) is listed with those
documents counted Invoice Wise and flagged NO_CONFIG (docs/REPORTS.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from syncstatus import messages, sql
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import DAY_COUNT_COLUMNS, FAILURE_CATEGORIES, PLATFORM_NAMES, SYNC_TYPE_NAMES
from syncstatus.wording import plural

COLUMNS = [
    "Zone",
    "Center Name",
    "Total Invoices",
    "Processed Invoices",
    "Pending Invoices",
    "Failed Invoices",
    "Total Misc. Journals",
    "Processed Misc. Journals",
    "Pending Misc. Journals",
    "Failed Misc. Journals",
    "Mode",
    "Response message",
]
COUNT_COLUMNS = COLUMNS[2:10]
TOTAL_LABEL = "Total"
NO_CONFIG = "⚠ no sync configuration for these dates (counted Invoice Wise)"
UNCONFIGURED_MODE = "Invoice Wise (no configuration)"
_STATUSES = {"processed": "Processed", "pending": "Pending", "failed": "Failed"}


@dataclass
class SyncStatusReport:
    table: pd.DataFrame        # exactly COLUMNS, one row per center, then the totals row
    centers: pd.DataFrame      # center_id, center_code, platform, unconfigured: aligned with table rows (no totals)
    causes: pd.DataFrame       # failures by root cause: category, label, documents, centers, fix_hint
    filters: ReportFilters

    @property
    def body(self) -> pd.DataFrame:
        return self.table.iloc[:-1] if len(self.table) else self.table

    @property
    def totals(self) -> pd.Series:
        return self.table.iloc[-1]

    def failing_center_ids(self) -> list[int]:
        """The centers (body rows) with a failed document in the range."""
        body = self.body
        failing = (body["Failed Invoices"] + body["Failed Misc. Journals"]).to_numpy() > 0 if len(body) else []
        return [int(c) for c, bad in zip(self.centers["center_id"], failing, strict=True) if bad]


def _category_phrase(category: str, platform: str | None) -> str:
    """The cause in lower case, the platform with its proper name: 'account/item inactive or deleted in
    QuickBooks Online'."""
    label = messages.CATEGORY_LABELS.get(category, category.replace("_", " ")).lower()
    if category == "reference_inactive_or_deleted" and platform:
        return f"{label} in {PLATFORM_NAMES.get(platform, platform)}"
    return label


def response_message(failed_by_category: dict[str, int], platform: str | None) -> str:
    """'3 failed: account/item inactive or deleted in QuickBooks Online (2), duplicate document number (1)'."""
    total = sum(failed_by_category.values())
    if not total:
        return ""
    parts = sorted(failed_by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    detail = ", ".join(f"{_category_phrase(c or 'unknown', platform)} ({n})" for c, n in parts)
    return f"{total} failed: {detail}"


RANGE_COLUMNS = ["center_id", *DAY_COUNT_COLUMNS]
_CELLS = {  # report column -> sync_center_day column
    "Processed Invoices": "inv_processed", "Pending Invoices": "inv_pending", "Failed Invoices": "inv_failed",
    "Processed Misc. Journals": "mj_processed", "Pending Misc. Journals": "mj_pending",
    "Failed Misc. Journals": "mj_failed",
}
_FAILED_BY_CATEGORY = [(c, f"failed_{c}") for c in FAILURE_CATEGORIES]


def fetch_range(engine, center_ids: list[int], f: ReportFilters) -> pd.DataFrame:
    """Per center: the documents of [date_from, date_to] on the report's lines, as sync_center_day's columns
    (center_id + DAY_COUNT_COLUMNS). Centers without documents in the range are absent."""
    if not center_ids:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in RANGE_COLUMNS})
    rows = sql.frame(engine, "sync_status_report", center_ids=[int(c) for c in center_ids],
                     date_from=f.date_from, date_to=f.date_to, after_to=f.date_to + timedelta(days=1))
    counts = rows[RANGE_COLUMNS]
    return counts[counts[list(DAY_COUNT_COLUMNS[:6])].to_numpy().any(axis=1)].reset_index(drop=True)


# Up to this many days, summing sync_center_day's day counts reads fewer rows than the running totals' two
# probes per center (docs/PERFORMANCE.md); both statements return the same columns and counts.
SHORT_RANGE_DAYS = 7


def report_query(f: ReportFilters) -> str:
    """The statement that counts this range fastest."""
    short = (f.date_to - f.date_from).days < SHORT_RANGE_DAYS
    return "sync_status_report_days" if short else "sync_status_report"


def build(engine, center_ids: tuple[int, ...], f: ReportFilters) -> SyncStatusReport:
    """The report's data function: one statement returns the viewer's centers with their counts for the range
    (from the running totals); the zone/center/platform filters and the status filter apply to its rows."""
    with engine.connect() as conn:
        result = sql.execute(conn, report_query(f), center_ids=[int(c) for c in center_ids],
                             date_from=f.date_from, date_to=f.date_to, after_to=f.date_to + timedelta(days=1))
        at = {k: i for i, k in enumerate(result.keys())}
        rows = result.fetchall()
    # Plain rows, not a DataFrame: at 1,000 centers building a frame costs more than the query.
    zone_at, center_at, platform_at, job_at = at["zone_code"], at["center_code"], at["platform"], at["has_sync_job"]
    docs_at = at["has_documents"]
    rows = [r for r in rows if (r[job_at] or r[docs_at])
            and (not f.zones or r[zone_at] in f.zones)
            and (not f.centers or r[center_at] in f.centers)
            and (not f.platforms or r[platform_at] in f.platforms)]
    first = at[DAY_COUNT_COLUMNS[0]]
    values = np.array([r[first:first + len(DAY_COUNT_COLUMNS)] for r in rows], dtype="int64").reshape(
        len(rows), len(DAY_COUNT_COLUMNS))
    report = _assemble([r[at["center_id"]] for r in rows], [r[center_at] for r in rows],
                       [r[at["zone_name"]] for r in rows], [r[at["center_name"]] for r in rows],
                       [r[platform_at] for r in rows], values, f,
                       [bool(r[at["unconfigured"]]) for r in rows])
    report = with_modes(report, modes(engine, [int(c) for c in report.centers["center_id"]], f))
    return with_top_messages(report, top_messages(engine, report.failing_center_ids(), f))


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def describe_modes(configs: list[tuple], f: ReportFilters) -> str:
    """A center's mode over the range from its configurations in force then ((effective_from, sync_type), oldest
    first): 'Day Wise', or 'Invoice Wise → Day Wise (switched on 12 Nov)'. Dates before the first configuration
    count Invoice Wise; a center with none at all reads UNCONFIGURED_MODE."""
    if not configs:
        return UNCONFIGURED_MODE
    segments: list[tuple[date, str]] = []
    first = _day(configs[0][0])
    if first > f.date_from:
        segments.append((f.date_from, SYNC_TYPE_NAMES["invoice_wise"]))
    for effective_from, sync_type in configs:
        name = SYNC_TYPE_NAMES.get(sync_type, str(sync_type))
        if not segments or segments[-1][1] != name:
            segments.append((max(_day(effective_from), f.date_from), name))
    if len(segments) == 1:
        return segments[0][1]
    year = f.date_from.year != f.date_to.year
    when = ", ".join(f"{d.day} {d:%b}" + (f" {d.year}" if year else "") for d, _ in segments[1:])
    return " → ".join(name for _, name in segments) + f" (switched on {when})"


def modes(engine, center_ids: list[int], f: ReportFilters) -> dict[int, str]:
    """Per center, describe_modes of its configurations in force during the range (queries/sync_status_modes.sql)."""
    if not center_ids:
        return {}
    with engine.connect() as conn:
        rows = sql.execute(conn, "sync_status_modes", center_ids=center_ids,
                           date_from=f.date_from, date_to=f.date_to).fetchall()
    configs: dict[int, list[tuple]] = {}
    for center_id, effective_from, sync_type in rows:
        configs.setdefault(int(center_id), []).append((effective_from, sync_type))
    return {c: describe_modes(configs.get(c, []), f) for c in center_ids}


def with_modes(report: SyncStatusReport, by_center: dict[int, str]) -> SyncStatusReport:
    """The Mode column filled in for each center row (the totals row stays empty)."""
    if report.table.empty or not by_center:
        return report
    shown = [by_center.get(int(c), UNCONFIGURED_MODE) for c in report.centers["center_id"]]
    report.table["Mode"] = [*shown, *([""] * (len(report.table) - len(shown)))]
    return report


TOP_MESSAGE_CHARS = 90


def top_messages(engine, center_ids: list[int], f: ReportFilters) -> dict[int, str]:
    """Per center (only those given: the ones with failures), the platform's own most frequent failure message
    over the range's failed documents (queries/sync_status_top_messages.sql)."""
    if not center_ids:
        return {}
    with engine.connect() as conn:
        rows = sql.execute(conn, "sync_status_top_messages", center_ids=[int(c) for c in center_ids],
                           date_from=f.date_from, date_to=f.date_to).fetchall()
    return {int(r[0]): r[1] for r in rows}


def shorten(text: str, limit: int = TOP_MESSAGE_CHARS) -> str:
    """Whitespace collapsed, cut at a word boundary with an ellipsis when longer than `limit`."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:.-") + "…"


def with_top_messages(report: SyncStatusReport, top: dict[int, str]) -> SyncStatusReport:
    """The Response message of each failing center followed by the platform's most frequent message, named with
    the platform's proper name: '3 failed: duplicate document number (3) — most often in QuickBooks Online:
    “Duplicate Document Number Error”'."""
    if not top or report.table.empty:
        return report
    column = report.table.columns.get_loc("Response message")
    for i, (center_id, platform) in enumerate(zip(report.centers["center_id"], report.centers["platform"],
                                                   strict=True)):
        message = top.get(int(center_id))
        current = report.table.iat[i, column]
        if message and current:
            where = f" in {PLATFORM_NAMES.get(platform, platform)}" if platform in PLATFORM_NAMES else ""
            report.table.iat[i, column] = f"{current} — most often{where}: “{shorten(message)}”"
    return report


def _phrases(platform: str | None) -> list[str]:
    """The lower-case phrase of each failure category (in _FAILED_BY_CATEGORY order) for a platform."""
    return [_category_phrase(cat, platform) for cat, _ in _FAILED_BY_CATEGORY]


def _messages(by_category: np.ndarray, platforms: list) -> list[str]:
    """response_message for each row of a (centers × categories) count matrix, without per-row dictionaries."""
    cats = [cat for cat, _ in _FAILED_BY_CATEGORY]
    phrases: dict[object, list[str]] = {}
    out: list[str] = []
    done: dict[tuple, str] = {}   # many centers share a pattern (e.g. "1 failed: duplicate document number (1)")
    for row, platform in zip(map(tuple, by_category.tolist()), platforms, strict=True):
        if not any(row):
            out.append("")
            continue
        text = done.get((platform, row))
        if text is None:
            words = phrases.get(platform)
            if words is None:
                words = phrases[platform] = _phrases(platform)
            parts = sorted((-n, cats[i], words[i], n) for i, n in enumerate(row) if n)
            text = done[(platform, row)] = f"{sum(row)} failed: " + ", ".join(f"{w} ({n})" for _, _, w, n in parts)
        out.append(text)
    return out


def assemble(directory: pd.DataFrame, counts: pd.DataFrame, f: ReportFilters) -> SyncStatusReport:
    """The report from the viewer's (filtered) directory and fetch_range's counts: one row per center (zeros
    where it had no documents in the range)."""
    d = directory[["center_id", "center_code", "zone_name", "center_name", "platform"]]
    c = counts.reindex(columns=RANGE_COLUMNS)
    ids = d["center_id"].to_numpy(dtype="int64")
    at = pd.Index(c["center_id"].to_numpy(dtype="int64")).get_indexer(ids)   # -1: no documents in the range
    found = at >= 0
    values = np.zeros((len(ids), len(DAY_COUNT_COLUMNS)), dtype="int64")
    if len(c):
        values[found] = c[list(DAY_COUNT_COLUMNS)].to_numpy(dtype="int64")[at[found]]
    return _assemble(ids.tolist(), d["center_code"].tolist(), d["zone_name"].tolist(), d["center_name"].tolist(),
                     d["platform"].tolist(), values, f)


def _assemble(ids: list, codes: list, zones: list, names: list, platforms: list, values: np.ndarray,
              f: ReportFilters, unconfigured: list[bool] | None = None) -> SyncStatusReport:
    """Column-wise: `values` holds DAY_COUNT_COLUMNS per center (rows aligned with the lists). The status
    filter, the order (zone, center name), the totals row, the response messages (NO_CONFIG first for a center
    with documents on dates without a configuration) and the causes."""
    ids = np.asarray(ids, dtype="int64")
    no_config = np.asarray(unconfigured if unconfigured is not None else [False] * len(ids), dtype=bool)
    col = {name: values[:, i] for i, name in enumerate(DAY_COUNT_COLUMNS)}
    fails = col["inv_failed"] + col["mj_failed"]
    pend = col["inv_pending"] + col["mj_pending"]
    keep = {"failed": fails > 0, "pending": pend > 0, "issues": (fails > 0) | (pend > 0)}.get(f.status)
    zone, name = np.array(zones, dtype=object), np.array(names, dtype=object)
    rows = np.arange(len(ids)) if keep is None else np.flatnonzero(keep)
    rows = np.array(sorted(rows.tolist(), key=lambda i: (zone[i], name[i])), dtype="int64")
    values = values[rows]
    col = {n: values[:, i] for i, n in enumerate(DAY_COUNT_COLUMNS)}

    data: dict[str, object] = {"Zone": zone[rows], "Center Name": name[rows], "Mode": [""] * len(rows)}
    for line, short in (("Invoices", "inv"), ("Misc. Journals", "mj")):
        data[f"Total {line}"] = col[f"{short}_processed"] + col[f"{short}_pending"] + col[f"{short}_failed"]
        for status in _STATUSES.values():
            data[f"{status} {line}"] = col[_CELLS[f"{status} {line}"]]
    by_category = values[:, 6:]
    platforms = np.array(platforms, dtype=object)[rows].tolist()
    flagged = no_config[rows].tolist()
    data["Response message"] = [f"{NO_CONFIG}; {m}" if flag and m else (NO_CONFIG if flag else m)
                                for m, flag in zip(_messages(by_category, platforms), flagged, strict=True)]
    sums = by_category.sum(axis=0)
    failed_total = {cat: int(n) for (cat, _), n in zip(_FAILED_BY_CATEGORY, sums.tolist(), strict=True) if n}
    # The totals row goes in as the last element of every column: one DataFrame built once.
    data["Zone"] = [*data["Zone"], TOTAL_LABEL]
    data["Center Name"] = [*data["Center Name"], plural(len(rows), "center")]
    data["Mode"] = [*data["Mode"], ""]
    for name_ in COUNT_COLUMNS:
        data[name_] = np.append(data[name_], data[name_].sum()).astype("int64")
    data["Response message"].append(response_message(failed_total, None))
    table = pd.DataFrame(data, columns=COLUMNS)
    centers = pd.DataFrame({"center_id": ids[rows], "center_code": np.array(codes, dtype=object)[rows],
                            "platform": platforms, "unconfigured": pd.Series(flagged, dtype=bool)})
    causes = root_causes(dict(zip([cat for cat, _ in _FAILED_BY_CATEGORY], sums.tolist(), strict=True)),
                         dict(zip([cat for cat, _ in _FAILED_BY_CATEGORY], (by_category > 0).sum(axis=0).tolist(),
                                  strict=True)))
    return SyncStatusReport(table, centers, causes, f)


def root_causes(documents: dict[str, int], centers: dict[str, int]) -> pd.DataFrame:
    """Failures grouped by root cause across centers, biggest first, with the fix hint.

    `documents`: failed documents per category; `centers`: how many centers had that category."""
    order = sorted((c for c, n in documents.items() if n), key=lambda c: (-documents[c], c))
    return pd.DataFrame({
        "category": order,
        "Cause": [messages.CATEGORY_LABELS.get(c, c) for c in order],
        "Failed documents": pd.Series([documents[c] for c in order], dtype="int64"),
        "Centers": pd.Series([centers[c] for c in order], dtype="int64"),
        "What to do": [messages.FIX_HINTS.get(c, "") for c in order],
    })


def row_marks(table: pd.DataFrame) -> list[str | None]:
    """How to mark each row: 'failed' for a center with any failure, 'warning' for one flagged NO_CONFIG, 'total'
    for the totals row."""
    marks: list[str | None] = ["failed" if (r["Failed Invoices"] or r["Failed Misc. Journals"]) else
                               "warning" if str(r["Response message"]).startswith(NO_CONFIG) else None
                               for _, r in table.iterrows()]
    if marks and table.iloc[-1]["Zone"] == TOTAL_LABEL:
        marks[-1] = "total"
    return marks


def failing_rows(table: pd.DataFrame) -> list[bool]:
    """Rows of centers with any failure (the totals row is never one)."""
    return [m == "failed" for m in row_marks(table)]
