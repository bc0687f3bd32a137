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
    counts = counts[counts["status"].isin(list(_STATUSES))].copy()
    counts["documents"] = counts["documents"].astype("int64")
    counts["column"] = counts["status"].map(_STATUSES) + " " + counts["report_line"].map(_LINES)
    wide = counts.pivot_table(index="center_id", columns="column", values="documents", aggfunc="sum", fill_value=0)
    rows = directory.set_index("center_id").join(wide, how="left")
    for line in _LINES.values():
        for status in _STATUSES.values():
            col = f"{status} {line}"
            rows[col] = rows[col].fillna(0).astype("int64") if col in rows else 0
        rows[f"Total {line}"] = sum(rows[f"{s} {line}"] for s in _STATUSES.values())

    failed = counts[counts["status"] == "failed"]
    by_center = failed.groupby(["center_id", "category"])["documents"].sum()
    rows["Response message"] = [
        response_message(by_center.loc[cid].to_dict() if cid in by_center.index.get_level_values(0) else {}, plat)
        for cid, plat in zip(rows.index, rows["platform"])
    ]
    rows = rows.rename(columns={"zone_name": "Zone", "center_name": "Center Name"})
    if f.status == "failed":
        rows = rows[(rows["Failed Invoices"] + rows["Failed Misc. Journals"]) > 0]
    elif f.status == "pending":
        rows = rows[(rows["Pending Invoices"] + rows["Pending Misc. Journals"]) > 0]
    elif f.status == "issues":
        rows = rows[(rows[["Failed Invoices", "Failed Misc. Journals", "Pending Invoices",
                           "Pending Misc. Journals"]].sum(axis=1)) > 0]
    rows = rows.sort_values(["Zone", "Center Name"], kind="stable")

    table = rows[COLUMNS].reset_index(drop=True)
    totals = {c: int(table[c].sum()) for c in COUNT_COLUMNS}
    failed_total = {k: int(v) for k, v in failed[failed["center_id"].isin(rows.index)]
                    .groupby("category")["documents"].sum().items()}
    totals_row = {"Zone": TOTAL_LABEL, "Center Name": f"{len(table)} centers",
                  **totals, "Response message": response_message(failed_total, None)}
    table = pd.concat([table, pd.DataFrame([totals_row])], ignore_index=True)
    for c in COUNT_COLUMNS:
        table[c] = table[c].astype("int64")

    centers = rows.reset_index()[["center_id", "center_code", "platform"]]
    return SyncStatusReport(table, centers, root_causes(failed[failed["center_id"].isin(rows.index)]), f)


def root_causes(failed: pd.DataFrame) -> pd.DataFrame:
    """Failures grouped by root cause across centers, biggest first, with the fix hint."""
    if failed.empty:
        return pd.DataFrame(columns=["category", "Cause", "Failed documents", "Centers", "What to do"])
    g = failed.groupby("category").agg(documents=("documents", "sum"), centers=("center_id", "nunique"))
    g = g.sort_values("documents", ascending=False).reset_index()
    return pd.DataFrame({
        "category": g["category"],
        "Cause": [messages.CATEGORY_LABELS.get(c, c) for c in g["category"]],
        "Failed documents": g["documents"].astype("int64"),
        "Centers": g["centers"].astype("int64"),
        "What to do": [messages.FIX_HINTS.get(c, "") for c in g["category"]],
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
