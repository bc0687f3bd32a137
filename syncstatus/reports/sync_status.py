"""The Integrations Sync Status report: one row per center with a sync job, counts from the rollups."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from syncstatus import messages, sql
from syncstatus.reports.filters import ReportFilters, center_directory, month_split, select_centers
from syncstatus.schema import PLATFORM_NAMES

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
    "Response message",
]
COUNT_COLUMNS = COLUMNS[2:10]
TOTAL_LABEL = "Total"
_LINES = {"invoices": "Invoices", "misc_journals": "Misc. Journals"}
_STATUSES = {"processed": "Processed", "pending": "Pending", "failed": "Failed"}


@dataclass
class SyncStatusReport:
    table: pd.DataFrame        # exactly COLUMNS, one row per center, then the totals row
    centers: pd.DataFrame      # center_id, center_code, platform: aligned with table rows (without totals)
    causes: pd.DataFrame       # failures by root cause: category, label, documents, centers, fix_hint
    filters: ReportFilters

    @property
    def body(self) -> pd.DataFrame:
        return self.table.iloc[:-1] if len(self.table) else self.table

    @property
    def totals(self) -> pd.Series:
        return self.table.iloc[-1]


def _category_phrase(category: str, platform: str | None) -> str:
    label = messages.CATEGORY_LABELS.get(category, category.replace("_", " "))
    if category == "reference_inactive_or_deleted" and platform:
        return f"{label} in {PLATFORM_NAMES.get(platform, platform)}"
    return label


def response_message(failed_by_category: dict[str, int], platform: str | None) -> str:
    """'3 failed: account/item inactive or deleted in QuickBooks Online (2), duplicate document number (1)'."""
    total = sum(failed_by_category.values())
    if not total:
        return ""
    parts = sorted(failed_by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    detail = ", ".join(f"{_category_phrase(c or 'unknown', platform).lower()} ({n})" for c, n in parts)
    return f"{total} failed: {detail}"


def fetch_counts(engine, center_ids: list[int], f: ReportFilters) -> pd.DataFrame:
    if not center_ids:
        return pd.DataFrame(columns=["center_id", "report_line", "status", "category", "documents"])
    return sql.frame(engine, "sync_status_counts", center_ids=center_ids, **month_split(f.date_from, f.date_to))


def build(engine, center_ids: tuple[int, ...], f: ReportFilters) -> SyncStatusReport:
    """The report's data function: filters applied to the viewer's centers, counts pivoted into COLUMNS."""
    directory = select_centers(center_directory(engine, center_ids), f)
    directory = directory[directory["has_sync_job"]]
    counts = fetch_counts(engine, [int(x) for x in directory["center_id"]], f)
    return assemble(directory, counts, f)


def assemble(directory: pd.DataFrame, counts: pd.DataFrame, f: ReportFilters) -> SyncStatusReport:
    """Pivot the few rollup rows into the report. Plain dictionaries: at 1,000 centers pandas' pivot
    machinery costs more than the database query."""
    cells: dict[int, dict[str, int]] = {}
    failed: dict[int, dict[str, int]] = {}
    for cid, line, status, category, n in counts[["center_id", "report_line", "status", "category",
                                                  "documents"]].itertuples(index=False):
        if status not in _STATUSES or line not in _LINES:
            continue
        cid, n = int(cid), int(n)
        row = cells.setdefault(cid, {})
        col = f"{_STATUSES[status]} {_LINES[line]}"
        row[col] = row.get(col, 0) + n
        if status == "failed":
            by_cat = failed.setdefault(cid, {})
            by_cat[category or "unknown"] = by_cat.get(category or "unknown", 0) + n

    rows = []
    kept: list[tuple[int, str, str]] = []
    for cid, code, zone_name, center_name, platform in directory[
            ["center_id", "center_code", "zone_name", "center_name", "platform"]].itertuples(index=False):
        c = cells.get(int(cid), {})
        row = {"Zone": zone_name, "Center Name": center_name}
        for line in _LINES.values():
            parts = [c.get(f"{s} {line}", 0) for s in _STATUSES.values()]
            row[f"Total {line}"] = sum(parts)
            for s, v in zip(_STATUSES.values(), parts, strict=True):
                row[f"{s} {line}"] = v
        fails = row["Failed Invoices"] + row["Failed Misc. Journals"]
        pend = row["Pending Invoices"] + row["Pending Misc. Journals"]
        if (f.status == "failed" and not fails) or (f.status == "pending" and not pend) or \
                (f.status == "issues" and not (fails or pend)):
            continue
        row["Response message"] = response_message(failed.get(int(cid), {}), platform)
        rows.append(row)
        kept.append((int(cid), code, platform))

    order = sorted(range(len(rows)), key=lambda i: (rows[i]["Zone"], rows[i]["Center Name"]))
    rows = [rows[i] for i in order]
    kept = [kept[i] for i in order]
    totals = {c: sum(r[c] for r in rows) for c in COUNT_COLUMNS}
    failed_total: dict[str, int] = {}
    for cid, _, _ in kept:
        for cat, n in failed.get(cid, {}).items():
            failed_total[cat] = failed_total.get(cat, 0) + n
    rows.append({"Zone": TOTAL_LABEL, "Center Name": f"{len(kept)} centers", **totals,
                 "Response message": response_message(failed_total, None)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    for col in COUNT_COLUMNS:
        table[col] = table[col].astype("int64")
    centers = pd.DataFrame(kept, columns=["center_id", "center_code", "platform"])
    kept_ids = {cid for cid, _, _ in kept}
    causes = [(cid, cat, n) for cid, cats in failed.items() if cid in kept_ids for cat, n in cats.items()]
    return SyncStatusReport(table, centers, root_causes(causes), f)


def root_causes(failed: list[tuple[int, str, int]]) -> pd.DataFrame:
    """Failures grouped by root cause across centers, biggest first, with the fix hint.

    `failed` holds (center_id, category, documents)."""
    documents: dict[str, int] = {}
    centers: dict[str, set[int]] = {}
    for cid, cat, n in failed:
        documents[cat] = documents.get(cat, 0) + n
        centers.setdefault(cat, set()).add(cid)
    order = sorted(documents, key=lambda c: (-documents[c], c))
    return pd.DataFrame({
        "category": order,
        "Cause": [messages.CATEGORY_LABELS.get(c, c) for c in order],
        "Failed documents": pd.Series([documents[c] for c in order], dtype="int64"),
        "Centers": pd.Series([len(centers[c]) for c in order], dtype="int64"),
        "What to do": [messages.FIX_HINTS.get(c, "") for c in order],
    })


def row_marks(table: pd.DataFrame) -> list[str | None]:
    """How to mark each row: 'failed' for a center with any failure, 'total' for the totals row."""
    marks: list[str | None] = ["failed" if (r["Failed Invoices"] or r["Failed Misc. Journals"]) else None
                               for _, r in table.iterrows()]
    if marks and table.iloc[-1]["Zone"] == TOTAL_LABEL:
        marks[-1] = "total"
    return marks


def failing_rows(table: pd.DataFrame) -> list[bool]:
    """Rows of centers with any failure (the totals row is never one)."""
    return [m == "failed" for m in row_marks(table)]
