"""The Integrations Sync Status report: one row per center with a sync job, counts from the rollups."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from syncstatus import messages, sql
from syncstatus.reports.filters import ReportFilters, center_directory, month_split, select_centers
from syncstatus.schema import DAY_COUNT_COLUMNS, FAILURE_CATEGORIES, PLATFORM_NAMES

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
    return sql.frame(engine, "sync_status_range", center_ids=center_ids, date_from=f.date_from, date_to=f.date_to)


def fetch_counts(engine, center_ids: list[int], f: ReportFilters) -> pd.DataFrame:
    """Long format (center_id, report_line, status, category, documents) from sync_monthly/sync_daily.
    Kept for the Trends page until it moves to fetch_range."""
    if not center_ids:
        return pd.DataFrame(columns=["center_id", "report_line", "status", "category", "documents"])
    return sql.frame(engine, "sync_status_counts", center_ids=center_ids, **month_split(f.date_from, f.date_to))


def build(engine, center_ids: tuple[int, ...], f: ReportFilters) -> SyncStatusReport:
    """The report's data function: filters applied to the viewer's centers, counts from the running totals."""
    directory = select_centers(center_directory(engine, center_ids), f)
    directory = directory[directory["has_sync_job"]]
    counts = fetch_range(engine, directory["center_id"].astype("int64").tolist(), f)
    return assemble(directory, counts, f)


def assemble(directory: pd.DataFrame, counts: pd.DataFrame, f: ReportFilters) -> SyncStatusReport:
    """The report from the viewer's (filtered) directory and fetch_range's counts: column-wise, one row per
    center (zeros where it had no documents), the status filter, the order, the totals row and the causes."""
    d = directory[["center_id", "center_code", "zone_name", "center_name", "platform"]].reset_index(drop=True)
    d = d.assign(center_id=d["center_id"].astype("int64"))
    c = counts.reindex(columns=RANGE_COLUMNS).assign(center_id=lambda x: x["center_id"].astype("int64"))
    m = d.merge(c, on="center_id", how="left", sort=False)
    for col in DAY_COUNT_COLUMNS:
        m[col] = m[col].fillna(0).astype("int64")
    fails = m["inv_failed"] + m["mj_failed"]
    pend = m["inv_pending"] + m["mj_pending"]
    keep = {"failed": fails > 0, "pending": pend > 0, "issues": (fails > 0) | (pend > 0)}.get(f.status)
    if keep is not None:
        m = m[keep]
    m = m.sort_values(["zone_name", "center_name"], kind="stable", ignore_index=True)

    table = pd.DataFrame({"Zone": m["zone_name"], "Center Name": m["center_name"]})
    for line, short in (("Invoices", "inv"), ("Misc. Journals", "mj")):
        table[f"Total {line}"] = m[f"{short}_processed"] + m[f"{short}_pending"] + m[f"{short}_failed"]
        for status in _STATUSES.values():
            table[f"{status} {line}"] = m[_CELLS[f"{status} {line}"]]
    by_category = m[[col for _, col in _FAILED_BY_CATEGORY]].to_numpy()
    table["Response message"] = [
        response_message({cat: int(n) for (cat, _), n in zip(_FAILED_BY_CATEGORY, row, strict=True) if n}, platform)
        if row.any() else ""
        for row, platform in zip(by_category, m["platform"], strict=True)
    ]
    table = table[COLUMNS]
    sums = by_category.sum(axis=0) if len(m) else [0] * len(_FAILED_BY_CATEGORY)
    failed_total = {cat: int(n) for (cat, _), n in zip(_FAILED_BY_CATEGORY, sums, strict=True) if n}
    totals = {"Zone": TOTAL_LABEL, "Center Name": f"{len(m)} centers",
              **{col: int(table[col].sum()) for col in COUNT_COLUMNS},
              "Response message": response_message(failed_total, None)}
    table = pd.concat([table, pd.DataFrame([totals], columns=COLUMNS)], ignore_index=True)
    for col in COUNT_COLUMNS:
        table[col] = table[col].astype("int64")
    centers = m[["center_id", "center_code", "platform"]].reset_index(drop=True)
    causes = root_causes_wide(m)
    return SyncStatusReport(table, centers, causes, f)


def root_causes_wide(m: pd.DataFrame) -> pd.DataFrame:
    """root_causes over rows holding failed_<category> columns (one row per center)."""
    failed: list[tuple[int, str, int]] = []
    for (cat, col) in _FAILED_BY_CATEGORY:
        n = m[col]
        for cid, v in zip(m["center_id"][n > 0], n[n > 0], strict=True):
            failed.append((int(cid), cat, int(v)))
    return root_causes(failed)


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
