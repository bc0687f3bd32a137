"""Items and Chart of Accounts: what the accounting platform knows, flagged where it was deleted or made inactive
there, with how many documents reference each entry and the latest failed (summary) invoice that does."""

from __future__ import annotations

import pandas as pd

from syncstatus import sql
from syncstatus.reports.documents import (
    DocumentTable,
    as_count,
    as_datetimes,
    is_inactive,
    is_set,
    reference_flag,
    response_text,
    scope,
    status_name,
)
from syncstatus.reports.filters import ReportFilters

ITEM_COLUMNS = ["Center", "Code", "Name", "Item type", "Mapped item type", "Platform item", "Mapped account",
                "Status", "Response message", "Deleted in platform", "Documents", "Latest failed invoice"]
ACCOUNT_COLUMNS = ["Center", "Code", "Name", "Type", "Active", "Last read", "Deleted in platform", "Lines",
                   "Payments", "Misc. journals", "Item mappings", "Documents", "Latest failed invoice"]
ACCOUNT_TYPES = {"asset": "Asset", "bank": "Bank", "liability": "Liability", "equity": "Equity", "income": "Income",
                 "expense": "Expense", "cost_of_goods_sold": "Cost of goods sold", "other": "Other"}
ITEM_TYPES = {"service": "Service", "product": "Product", "package": "Package", "membership": "Membership",
              "gift_card": "Gift card", "prepaid_card": "Prepaid card"}


def _latest(engine, name: str, ids: list[int], key: str) -> dict[tuple[int, str], tuple[str, object]]:
    df = sql.frame(engine, name, center_ids=ids)
    return {(int(r.center_id), str(getattr(r, key))): (str(r.document_no), r.sync_date) for r in df.itertuples()}


def _finish(table: pd.DataFrame, numbers: list[str], flags: list[str], deleted_only: bool) -> DocumentTable:
    marks = ["deleted" if f else None for f in flags]
    result = DocumentTable(table.reset_index(drop=True), numbers, marks)
    if not deleted_only:
        return result
    keep = [i for i, f in enumerate(flags) if f]
    return DocumentTable(result.table.iloc[keep].reset_index(drop=True), [numbers[i] for i in keep],
                         [marks[i] for i in keep])


def items(engine, center_ids: tuple[int, ...], f: ReportFilters, deleted_only: bool = False) -> DocumentTable:
    """Items mapped to the platform (ITEM_COLUMNS); flagged when the item or its mapped account was deleted or
    made inactive in the platform."""
    centers = scope(engine, center_ids, f)
    ids = [int(x) for x in centers.index]
    if not ids:
        return DocumentTable(pd.DataFrame(columns=ITEM_COLUMNS), [], [])
    df = sql.frame(engine, "items", center_ids=ids)
    if df.empty:
        return DocumentTable(pd.DataFrame(columns=ITEM_COLUMNS), [], [])
    latest = _latest(engine, "items_latest_failed", ids, "item_code")
    platforms = centers["platform"].reindex(df["center_id"]).tolist()
    flags = [reference_flag([("item", r.code, r.deleted_in_platform_at, None),
                             ("account", r.account_code, r.account_deleted_at, r.account_active)], plat)
             for r, plat in zip(df.itertuples(), platforms, strict=True)]
    numbers = [latest.get((int(c), str(code)), ("", None))[0] for c, code in zip(df["center_id"], df["code"],
                                                                               strict=True)]
    table = pd.DataFrame({
        "Center": centers["center_name"].reindex(df["center_id"]).to_numpy(),
        "Code": df["code"].astype(str),
        "Name": df["name"],
        "Item type": [ITEM_TYPES.get(t, t) for t in df["item_type"]],
        "Mapped item type": [ITEM_TYPES.get(t, t) if isinstance(t, str) else "— not mapped"
                             for t in df["mapped_item_type"]],
        "Platform item": df["platform_item"].where(df["platform_item"].notna(), "— not mapped"),
        "Mapped account": [f"{c} · {n}" if is_set(n) else (f"{c} (not in the chart of accounts)" if is_set(c)
                                                            else "— not mapped")
                           for c, n in zip(df["account_code"], df["account_name"], strict=True)],
        "Status": df["status"].map(status_name),
        "Response message": [response_text(s, c, m, None) for s, c, m in
                             zip(df["status"], df["category"], df["message"], strict=True)],
        "Deleted in platform": flags,
        "Documents": as_count(df["lines"]),
        "Latest failed invoice": numbers,
    })
    return _finish(table, numbers, flags, deleted_only)


def accounts(engine, center_ids: tuple[int, ...], f: ReportFilters, deleted_only: bool = False) -> DocumentTable:
    """The platform's chart of accounts (ACCOUNT_COLUMNS) with the documents and item mappings referencing each;
    flagged when deleted or inactive in the platform."""
    centers = scope(engine, center_ids, f)
    ids = [int(x) for x in centers.index]
    if not ids:
        return DocumentTable(pd.DataFrame(columns=ACCOUNT_COLUMNS), [], [])
    df = sql.frame(engine, "accounts", center_ids=ids)
    if df.empty:
        return DocumentTable(pd.DataFrame(columns=ACCOUNT_COLUMNS), [], [])
    latest = _latest(engine, "accounts_latest_failed", ids, "account_code")
    platforms = centers["platform"].reindex(df["center_id"]).tolist()
    flags = [reference_flag([("account", r.code, r.deleted_in_platform_at, r.active)], plat).split(" (")[0]
             for r, plat in zip(df.itertuples(), platforms, strict=True)]
    numbers = [latest.get((int(c), str(code)), ("", None))[0] for c, code in zip(df["center_id"], df["code"],
                                                                               strict=True)]
    lines, pays, misc, maps = (as_count(df[c]) for c in ("lines", "payments", "misc_journals", "item_mappings"))
    table = pd.DataFrame({
        "Center": centers["center_name"].reindex(df["center_id"]).to_numpy(),
        "Code": df["code"].astype(str),
        "Name": df["name"],
        "Type": [ACCOUNT_TYPES.get(t, t) for t in df["type"]],
        "Active": [not is_inactive(a) for a in df["active"]],
        "Last read": as_datetimes(df["last_read_at"]),
        "Deleted in platform": flags,
        "Lines": lines,
        "Payments": pays,
        "Misc. journals": misc,
        "Item mappings": maps,
        "Documents": lines + pays + misc,
        "Latest failed invoice": numbers,
    })
    return _finish(table, numbers, flags, deleted_only)



CATALOG_CATEGORIES = ("mapping_missing", "reference_inactive_or_deleted")


def failed_references(engine, center_ids: tuple[int, ...], f: ReportFilters):
    """Failed documents of every date whose cause is a missing mapping or a deleted/inactive reference."""
    from datetime import date

    from syncstatus.reports.documents import failed_documents

    return failed_documents(engine, center_ids, f.with_(date_from=date(1900, 1, 1), date_to=date(9999, 12, 31)),
                            categories=CATALOG_CATEGORIES)
