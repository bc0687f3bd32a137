"""Document reports of the drill-down chain: Sale Orders, Payments, Misc Journal Entries, and the export of
failed documents for reprocessing. Also the wording every drill page shares: structured response messages,
status names, and the "deleted in the accounting platform" / "will fail" flags.

Each report function takes (engine, center_ids, filters, ...) and returns a `DocumentTable`: the table exactly as
shown and exported, the number each row drills to, and the row highlight. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from syncstatus import links, messages, sql
from syncstatus.exports import MISSING  # how every page, export and email shows a missing value
from syncstatus.reports.filters import ReportFilters, center_directory, select_centers
from syncstatus.schema import DOCUMENT_KINDS, DOCUMENT_STATUSES, PLATFORM_NAMES

# The status filter of the document pages (URL parameter `status`); Sync Status drills with failed/pending/processed.
STATUS_CHOICES = {
    "all": "All statuses",
    "failed": "Failed",
    "pending": "Pending",
    "issues": "Failed or pending",
    "processed": "Processed",
    "archived": "Archived",
    "counted": "Processed, pending or failed",   # what a Sync Status total counts (archived documents are not)
}
STATUS_NAMES = {"processed": "Processed", "pending": "Pending", "failed": "Failed", "archived": "Archived"}
NOT_SENT = "Not sent"
KIND_NAMES = {
    "invoice": "Invoice", "summary_invoice": "Summary invoice", "payment": "Payment", "refund": "Refund",
    "misc_journal": "Misc. journal", "purchase_order": "Purchase order", "transfer_order": "Transfer order",
}  # fmt: skip
MISC_KIND_NAMES = {"cash_deposit": "Cash deposit", "cash_pay_in": "Cash pay-in", "cash_payout": "Cash payout",
                   "petty_cash_expense": "Petty-cash expense"}
PENDING_REASONS = {
    "awaiting_schedule": "awaiting the next scheduled sync",
    "item_not_synced": "an item is not synced to the platform yet",
    "deleted_order_awaiting_maintenance": "deleted order waiting for the maintenance job (enable it for this center)",
    "integration_paused": "the integration is paused",
    "authorization_expired": "authorization expired: reconnect the integration",
    "rate_limited": "rate limited: retries automatically",
}
INVOICE_KINDS = ("invoice", "summary_invoice")
ROW_LIMIT = 5000
INACTIVE = "Inactive"
LEGEND = ("Rows shaded yellow reference an account or item deleted (⚠) or made inactive in the accounting "
          "platform; red rows failed.")

SALE_ORDER_COLUMNS = ["Center", "Sync date", "Invoice / summary invoice no", "Type", "Amount", "Status", "Will fail",
                      "Deleted in platform", "Anomaly", "Response message", "External doc no", "Attempts",
                      "Last attempt"]
PAYMENT_COLUMNS = ["Center", "Invoice / summary no", "Payment no", "Payment type", "Mapped account", "Amount", "Date",
                   "Status", "Will fail", "Deleted in platform", "Response message"]
MISC_COLUMNS = ["Center", "Journal no", "Register", "Kind", "Date", "Debit account", "Credit account", "Amount",
                "Status", "Will fail", "Deleted in platform", "Response message"]
FAILED_COLUMNS = ["Center code", "Center", "Kind", "Number", "Sync date", "Platform", "Category", "Message",
                  "Reference", "Fix hint"]


@dataclass
class DocumentTable:
    table: pd.DataFrame                 # exactly the columns shown and exported
    numbers: list[str]                  # per row: the invoice / summary invoice number it drills to ('' = none)
    marks: list[str | None]             # per row: None, "failed" or "deleted" (tables.FILLS)
    truncated: bool = False             # more rows matched than ROW_LIMIT
    problems: list[str] = field(default_factory=list)

    def link(self, row: int) -> links.Link | None:
        """The same-tab drill-down target of a row position, or None (no number, or out of range)."""
        if 0 <= row < len(self.numbers) and self.numbers[row]:
            return links.summary_invoice(self.numbers[row])
        return None

    def with_open_links(self, column: str = "Open") -> pd.DataFrame:
        """The table plus a URL column for an "open in new tab" LinkColumn."""
        urls = [links.summary_invoice(n).url() if n else None for n in self.numbers]
        return self.table.assign(**{column: urls})


# --- shared wording ----------------------------------------------------------------------------------------------

def platform_name(platform: str | None) -> str:
    return PLATFORM_NAMES.get(platform or "", platform or "the accounting platform")


def status_name(status: str | None) -> str:
    return STATUS_NAMES.get(status, NOT_SENT) if isinstance(status, str) else NOT_SENT


def response_text(status: str | None, category: str | None, message: str | None, reference: str | None,
                  pending_reason: str | None = None) -> str:
    """'Category label — message (reference) · fix hint' for failures; a short phrase for the other statuses."""
    status = status if isinstance(status, str) else None
    if status == "failed":
        cat = category if isinstance(category, str) and category in messages.CATEGORY_LABELS else "unknown"
        text = message if isinstance(message, str) and message else "no message recorded"
        ref = f" ({reference})" if isinstance(reference, str) and reference else ""
        return f"{messages.CATEGORY_LABELS[cat]} — {text}{ref} · {messages.FIX_HINTS[cat]}"
    if status == "pending":
        reason = PENDING_REASONS.get(pending_reason) if isinstance(pending_reason, str) else None
        return f"Pending — {reason or 'waiting for the next sync'}"
    if status == "processed":
        return "Synced"
    if status == "archived":
        return "Archived after a configuration reset"
    return "Not in the sync ledger yet"


def is_set(value) -> bool:
    """A timestamp column that holds a value (NULL comes back as None or NaT)."""
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def is_inactive(active) -> bool:
    """An account marked inactive (False / 0); None means no such account row, which is not 'inactive'."""
    return is_set(active) and not bool(active)


def reference_flag(refs: Iterable[tuple[str, str | None, object, object]], platform: str | None) -> str:
    """Label for references deleted or inactive in the platform.

    `refs` holds (what, code, deleted_at, active) per reference, e.g. ("account", "4010", ts, True).
    Deleted wins over inactive: "⚠ Deleted in QuickBooks Online (account 4010)"; "Inactive (account 4020)".
    """
    deleted, inactive = [], []
    for what, code, deleted_at, active in refs:
        if not is_set(code):
            continue
        if is_set(deleted_at):
            deleted.append(f"{what} {code}")
        elif is_inactive(active):
            inactive.append(f"{what} {code}")
    if deleted:
        return f"⚠ Deleted in {platform_name(platform)} ({', '.join(dict.fromkeys(deleted))})"
    if inactive:
        return f"{INACTIVE} ({', '.join(dict.fromkeys(inactive))})"
    return ""


def shown(value, fmt: str = "") -> str:
    """A value as text, a missing one (None, NaN, NaT, '') as MISSING."""
    if not is_set(value) or value == "":
        return MISSING
    return format(value, fmt) if fmt else str(value)


def will_fail(status: str | None, flag: str) -> str:
    """Pending documents, and payments not sent yet (no ledger row: status None), that reference a deleted or
    inactive account/item fail on their next push."""
    if (status == "pending" or not isinstance(status, str)) and flag:
        return "⚠ Will fail: " + flag.removeprefix("⚠ ")
    return ""


def row_marks(statuses: Iterable[str | None], flags: Iterable[str]) -> list[str | None]:
    return ["deleted" if flag else ("failed" if status == "failed" else None) for status, flag in zip(statuses, flags, strict=True)]


def as_date(v) -> date | None:
    """SQLite hands dates back as text, PostgreSQL as date objects: make both `date` (None stays None)."""
    if not is_set(v):
        return None
    return v if isinstance(v, date) and not isinstance(v, datetime) else pd.Timestamp(v).date()


def as_dates(s: pd.Series) -> pd.Series:
    """as_date over a column."""
    return pd.Series([as_date(v) for v in s], index=s.index, dtype=object)


def as_datetimes(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce")


def as_money(s: pd.Series) -> pd.Series:
    return pd.Series([float(v) if is_set(v) else float("nan") for v in s], index=s.index, dtype="float64")


def as_count(s: pd.Series) -> pd.Series:
    return pd.Series([int(v) if is_set(v) else 0 for v in s], index=s.index, dtype="int64")


# --- filters -------------------------------------------------------------------------------------------------------

def status_binds(status: str) -> dict:
    if status == "issues":
        return {"any_status": 0, "statuses": ["failed", "pending"]}
    if status == "counted":
        return {"any_status": 0, "statuses": ["processed", "pending", "failed"]}
    if status in DOCUMENT_STATUSES:
        return {"any_status": 0, "statuses": [status]}
    return {"any_status": 1, "statuses": ["all"]}


def category_binds(categories: Iterable[str]) -> dict:
    cats = sorted({c for c in categories if c in messages.CATEGORIES})
    return {"any_category": 0 if cats else 1, "categories": cats or ["all"]}


def parse_categories(value) -> tuple[tuple[str, ...], list[str]]:
    """URL `category` values (repeated or comma-separated): known categories, and a note about unknown ones."""
    values = value if isinstance(value, (list, tuple)) else [value] if value else []
    parts = [p.strip() for v in values for p in str(v).split(",") if p.strip()]
    bad = [p for p in parts if p not in messages.CATEGORIES]
    problems = [f"unknown category {', '.join(b[:30] for b in bad)}; ignored"] if bad else []
    return tuple(sorted({p for p in parts if p in messages.CATEGORIES})), problems


def scope(engine, center_ids: tuple[int, ...], f: ReportFilters) -> pd.DataFrame:
    """The viewer's centers narrowed by the zone/center/platform filters, indexed by center_id."""
    return select_centers(center_directory(engine, center_ids), f).set_index("center_id")


def _fetch(engine, name: str, ids: list[int], **binds) -> tuple[pd.DataFrame, bool]:
    if not ids:
        return pd.DataFrame(), False
    df = sql.frame(engine, name, center_ids=ids, row_limit=ROW_LIMIT + 1, **binds)
    return df.iloc[:ROW_LIMIT], len(df) > ROW_LIMIT


def _filter_binds(f: ReportFilters, categories: Iterable[str]) -> dict:
    return {"date_from": f.date_from, "date_to": f.date_to, **status_binds(f.status), **category_binds(categories)}


def _ids(centers: pd.DataFrame) -> list[int]:
    return [int(x) for x in centers.index]


def _empty(columns: list[str]) -> DocumentTable:
    return DocumentTable(pd.DataFrame(columns=columns), [], [])


# --- Sale Orders ---------------------------------------------------------------------------------------------------

def sale_orders(engine, center_ids: tuple[int, ...], f: ReportFilters, categories: tuple[str, ...] = (),
                will_fail_only: bool = False) -> DocumentTable:
    """Invoices and summary invoices sent, counted as Sync Status counts them (its drill-down lands here)."""
    centers = scope(engine, center_ids, f)
    df, truncated = _fetch(engine, "sale_orders", _ids(centers), **_filter_binds(f, categories))
    if df.empty:
        return _empty(SALE_ORDER_COLUMNS)
    platforms = centers["platform"].reindex(df["center_id"]).tolist()
    flags = []  # pending and failed documents whose orders reference a deleted or inactive account/item
    for line_ref, pay_ref, plat in zip(df["deleted_line_ref"], df["deleted_payment_ref"], platforms, strict=True):
        refs = [r for r in (line_ref, pay_ref) if isinstance(r, str) and r]
        flags.append(f"⚠ Deleted or inactive in {platform_name(plat)} ({', '.join(refs)})" if refs else "")
    table = pd.DataFrame({
        "Center": centers["center_name"].reindex(df["center_id"]).to_numpy(),
        "Sync date": as_dates(df["sync_date"]),
        "Invoice / summary invoice no": df["document_no"].astype(str),
        "Type": df["kind"].map(KIND_NAMES),
        "Amount": as_money(df["amount"]),
        "Status": df["status"].map(status_name),
        "Will fail": [will_fail(s, fl) for s, fl in zip(df["status"], flags, strict=True)],
        "Deleted in platform": flags,
        "Anomaly": [summary_anomaly(d, n, a, b) for d, n, a, b in zip(
            as_dates(df["sync_date"]), df["other_summaries"], df["other_summary_first"], df["other_summary_last"],
            strict=True)],
        "Response message": [response_text(*r) for r in zip(df["status"], df["category"], df["message"],
                                                           df["reference"], df["pending_reason"], strict=True)],
        "External doc no": df["external_ref"].where(df["external_ref"].notna(), ""),
        "Attempts": as_count(df["attempts"]),
        "Last attempt": as_datetimes(df["last_attempt_at"]),
    })
    marks = row_marks(df["status"], flags)
    return _finish(DocumentTable(table, list(table["Invoice / summary invoice no"]), marks, truncated),
                   will_fail_only, "Will fail")


def summary_anomaly(day, others, first, last) -> str:
    """The anomaly of a Day Wise day with several summary invoices, on the one counted (docs/REPORTS.md)."""
    n = int(others) if is_set(others) else 0
    if n <= 0:
        return ""
    also = str(first) if n == 1 else f"{first} … {last}"
    return (f"⚠ {n + 1} summary invoices on {day:%Y-%m-%d}: the day counts once, with this newest one's status "
            f"(also {also}, not counted)")


def _finish(result: DocumentTable, only_flagged: bool, column: str) -> DocumentTable:
    if not only_flagged:
        return result
    keep = [i for i, v in enumerate(result.table[column]) if v]
    return DocumentTable(result.table.iloc[keep].reset_index(drop=True), [result.numbers[i] for i in keep],
                         [result.marks[i] for i in keep], result.truncated, result.problems)


# --- Payments ------------------------------------------------------------------------------------------------------

def payments(engine, center_ids: tuple[int, ...], f: ReportFilters, categories: tuple[str, ...] = (),
             deleted_only: bool = False) -> DocumentTable:
    """Payment entries with their own sync status; each drills to its summary invoice (or its invoice)."""
    centers = scope(engine, center_ids, f)
    df, truncated = _fetch(engine, "payments", _ids(centers), **_filter_binds(f, categories))
    if df.empty:
        return _empty(PAYMENT_COLUMNS)
    platforms = centers["platform"].reindex(df["center_id"]).tolist()
    flags = [reference_flag([("account", code, deleted, active)], plat) for code, deleted, active, plat in
             zip(df["account_code"], df["account_deleted_at"], df["account_active"], platforms, strict=True)]
    numbers = [s if isinstance(s, str) and s else str(i) for s, i in zip(df["summary_invoice_no"], df["invoice_no"],
                                                                         strict=True)]
    table = pd.DataFrame({
        "Center": centers["center_name"].reindex(df["center_id"]).to_numpy(),
        "Invoice / summary no": numbers,
        "Payment no": df["payment_no"].astype(str),
        "Payment type": df["payment_type"],
        "Mapped account": [_account(c, n) for c, n in zip(df["account_code"], df["account_name"], strict=True)],
        "Amount": as_money(df["amount"]),
        "Date": as_dates(df["paid_on"]),
        "Status": df["status"].map(status_name),
        "Will fail": [will_fail(s, fl) for s, fl in zip(df["status"], flags, strict=True)],
        "Deleted in platform": flags,
        "Response message": [response_text(*r) for r in zip(df["status"], df["category"], df["message"],
                                                           df["reference"], df["pending_reason"], strict=True)],
    })
    marks = row_marks(df["status"], flags)
    return _finish(DocumentTable(table, numbers, marks, truncated), deleted_only, "Deleted in platform")


def _account(code, name) -> str:
    if not is_set(code):
        return "— not mapped"
    return f"{code} · {name}" if is_set(name) else f"{code} (not in the chart of accounts)"


# --- Misc Journal Entries ------------------------------------------------------------------------------------------

def misc_journal_entries(engine, center_ids: tuple[int, ...], f: ReportFilters, categories: tuple[str, ...] = (),
                         deleted_only: bool = False) -> DocumentTable:
    """Misc journal documents (cash deposits, pay-ins, payouts, petty cash) as Sync Status counts them."""
    centers = scope(engine, center_ids, f)
    df, truncated = _fetch(engine, "misc_journal_entries", _ids(centers), **_filter_binds(f, categories))
    if df.empty:
        return _empty(MISC_COLUMNS)
    platforms = centers["platform"].reindex(df["center_id"]).tolist()
    flags = [reference_flag([("account", dc, dd, da), ("account", cc, cd, ca)], plat)
             for dc, dd, da, cc, cd, ca, plat in zip(df["debit_account_code"], df["debit_deleted_at"],
                                                     df["debit_active"], df["credit_account_code"],
                                                     df["credit_deleted_at"], df["credit_active"], platforms,
                                                     strict=True)]
    table = pd.DataFrame({
        "Center": centers["center_name"].reindex(df["center_id"]).to_numpy(),
        "Journal no": df["journal_no"].astype(str),
        "Register": df["register"].where(df["register"].notna(), ""),
        "Kind": [MISC_KIND_NAMES.get(k, k or "") for k in df["kind"]],
        "Date": as_dates(df["sync_date"]),
        "Debit account": [_account(c, n) for c, n in zip(df["debit_account_code"], df["debit_account_name"],
                                                         strict=True)],
        "Credit account": [_account(c, n) for c, n in zip(df["credit_account_code"], df["credit_account_name"],
                                                          strict=True)],
        "Amount": as_money(df["amount"]),
        "Status": df["status"].map(status_name),
        "Will fail": [will_fail(s, fl) for s, fl in zip(df["status"], flags, strict=True)],
        "Deleted in platform": flags,
        "Response message": [response_text(*r) for r in zip(df["status"], df["category"], df["message"],
                                                           df["reference"], df["pending_reason"], strict=True)],
    })
    marks = row_marks(df["status"], flags)
    # Misc journals belong to no summary invoice: nothing to drill to.
    return _finish(DocumentTable(table, [""] * len(table), marks, truncated), deleted_only, "Deleted in platform")


# --- Failed documents export ---------------------------------------------------------------------------------------

def failed_documents(engine, center_ids: tuple[int, ...], f: ReportFilters, kinds: Iterable[str] | None = None,
                     categories: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per failed document, ready for reprocessing: FAILED_COLUMNS, ordered by center, date, kind, number."""
    centers = scope(engine, center_ids, f)
    kinds = [k for k in (kinds or DOCUMENT_KINDS) if k in DOCUMENT_KINDS]
    ids = _ids(centers)
    if not ids or not kinds:
        return pd.DataFrame(columns=FAILED_COLUMNS)
    df = sql.frame(engine, "failed_documents", center_ids=ids, kinds=kinds, date_from=f.date_from,
                   date_to=f.date_to, **category_binds(categories))
    if df.empty:
        return pd.DataFrame(columns=FAILED_COLUMNS)
    cats = [c if isinstance(c, str) and c in messages.CATEGORY_LABELS else "unknown" for c in df["category"]]
    return pd.DataFrame({
        "Center code": centers["center_code"].reindex(df["center_id"]).to_numpy(),
        "Center": centers["center_name"].reindex(df["center_id"]).to_numpy(),
        "Kind": df["kind"].map(KIND_NAMES),
        "Number": df["document_no"].astype(str),
        "Sync date": as_dates(df["sync_date"]),
        "Platform": [platform_name(p) for p in centers["platform"].reindex(df["center_id"])],
        "Category": [messages.CATEGORY_LABELS[c] for c in cats],
        "Message": df["message"].where(df["message"].notna(), ""),
        "Reference": [r if isinstance(r, str) and r else (messages.reference_in(m) or "")
                      for r, m in zip(df["reference"], df["message"], strict=True)],
        "Fix hint": [messages.FIX_HINTS[c] for c in cats],
    })
