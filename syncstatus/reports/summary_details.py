"""Sale Order Summary Details: one summary invoice (or one Invoice Wise invoice) with its sale orders, their lines
and payments, each payment's own sync status, and the tie-out of the orders against the document's amount.

Every lookup goes through an index (ix_sync_document_no, ix_sale_order_summary / uq_sale_order, uq_sale_order_line,
ix_payment_invoice, uq_sync_document), so opening one summary stays fast at any number of centers.
A number that does not exist and a number in a center the viewer may not see both give None.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from syncstatus import messages, sql
from syncstatus.reports.documents import (
    FAILED_COLUMNS,
    KIND_NAMES,
    STATUS_NAMES,
    as_date,
    is_set,
    platform_name,
    reference_flag,
    response_text,
    row_marks,
    status_name,
    will_fail,
)

MAX_NUMBER_CHARS = 60  # sync_document.document_no is String(60): anything longer cannot exist
TIE_OUT_TOLERANCE = 0.005

ORDER_COLUMNS = ["Invoice no", "Guest", "Sale date", "Amount", "Lines", "Payments"]
LINE_COLUMNS = ["Invoice no", "Line", "Item", "Item type", "Mapped item type", "Platform item", "Mapped account",
                "Qty", "Amount", "Deleted in platform"]
PAYMENT_COLUMNS = ["Invoice no", "Payment no", "Payment type", "Mapped payment account", "Amount", "Date", "Status",
                   "Will fail", "Deleted in platform", "Response message"]


def not_found_message(number: str) -> str:
    """The same words whether the number does not exist or belongs to a center the viewer may not see."""
    return f"No summary invoice or invoice numbered {number} in your centers."


@dataclass
class TieOut:
    orders_total: float
    document_amount: float | None

    @property
    def difference(self) -> float | None:
        return None if self.document_amount is None else round(self.orders_total - self.document_amount, 2)

    @property
    def ok(self) -> bool:
        return self.difference is not None and abs(self.difference) < TIE_OUT_TOLERANCE


@dataclass
class SummaryDetails:
    number: str
    kind: str                       # summary_invoice | invoice
    center_id: int
    center_code: str
    center_name: str
    platform: str | None
    header: dict                    # sync_date, amount, status, response, attempts, last attempt, external ref
    raw_response: str | None
    orders: pd.DataFrame            # ORDER_COLUMNS
    lines: pd.DataFrame             # LINE_COLUMNS
    line_marks: list[str | None]
    payments: pd.DataFrame          # PAYMENT_COLUMNS
    payment_marks: list[str | None]
    tie_out: TieOut
    in_ledger: bool                 # False: found on the sale orders only, not pushed yet
    other_centers: list[tuple[str, str]] = field(default_factory=list)  # (code, name) holding the same number
    payment_causes: dict[str, tuple] = field(default_factory=dict)  # payment no -> (category, message, reference)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def order_numbers(self) -> list[str]:
        return list(self.orders["Invoice no"])

    @property
    def flagged_lines(self) -> int:
        return sum(1 for m in self.line_marks if m == "deleted")

    @property
    def flagged_payments(self) -> int:
        return sum(1 for m in self.payment_marks if m == "deleted")

    def flagged_only(self) -> SummaryDetails:
        """Only the lines and payments that reference a deleted or inactive account/item."""
        keep_l = [i for i, m in enumerate(self.line_marks) if m == "deleted"]
        keep_p = [i for i, m in enumerate(self.payment_marks) if m == "deleted"]
        return replace(self, lines=self.lines.iloc[keep_l].reset_index(drop=True),
                       line_marks=[self.line_marks[i] for i in keep_l],
                       payments=self.payments.iloc[keep_p].reset_index(drop=True),
                       payment_marks=[self.payment_marks[i] for i in keep_p])

    def failed_export(self) -> pd.DataFrame:
        """The failed documents of this page (the document itself, failed payments) in FAILED_COLUMNS."""
        rows = []
        base = {"Center code": self.center_code, "Center": self.center_name, "Platform": platform_name(self.platform)}
        if self.header["status_code"] == "failed":
            rows.append({**base, "Kind": self.kind_name, "Number": self.number, "Sync date": self.header["sync_date"],
                         **self._cause(self.header["category"], self.header["message"], self.header["reference"])})
        p = self.payments
        for no, paid_on, status in zip(p["Payment no"], p["Date"], p["Status"], strict=True):
            if status == STATUS_NAMES["failed"]:
                rows.append({**base, "Kind": KIND_NAMES["payment"], "Number": no, "Sync date": paid_on,
                             **self._cause(*self.payment_causes.get(no, (None, None, None)))})
        return pd.DataFrame(rows, columns=FAILED_COLUMNS)

    @staticmethod
    def _cause(category, message, reference) -> dict:
        cat = category if isinstance(category, str) and category in messages.CATEGORY_LABELS else "unknown"
        return {"Category": messages.CATEGORY_LABELS[cat], "Message": message if isinstance(message, str) else "",
                "Reference": reference if isinstance(reference, str) else "", "Fix hint": messages.FIX_HINTS[cat]}


def clean_number(raw) -> str | None:
    """The `invoice` URL parameter as a number to look up, or None when it cannot be one."""
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None:
        return None
    number = str(raw).strip()
    if not number or len(number) > MAX_NUMBER_CHARS or any(ord(ch) < 32 for ch in number):
        return None
    return number


def _rows(conn, name: str, **params) -> list:
    """A query's rows as mappings: the page's few dozen rows are cheaper as plain rows than as DataFrames."""
    return sql.execute(conn, name, **params).mappings().all()


def load(engine, center_ids: tuple[int, ...], number: str, center_code: str | None = None) -> SummaryDetails | None:
    """The summary invoice or invoice numbered `number` in the viewer's centers, or None.

    When several of the viewer's centers use the same number, `center_code` picks one (default: the first by code).
    """
    ids = [int(c) for c in center_ids]
    if not ids or not number:
        return None
    with engine.connect() as conn:
        heads = _rows(conn, "summary_header", center_ids=ids, document_no=number)
        in_ledger = bool(heads)
        if not in_ledger:
            heads = _rows(conn, "summary_unsent", center_ids=ids, document_no=number)
            if not heads:
                return None
        # One document per center: a summary invoice wins over an invoice of the same number (the query's order).
        first: dict[int, dict] = {}
        for h in heads:
            first.setdefault(int(h["center_id"]), dict(h))
        heads_by_center = list(first.values())
        pick = [h for h in heads_by_center if center_code and h["center_code"] == center_code]
        head = (pick or heads_by_center)[0]
        center_id = int(head["center_id"])
        # From here on the scope is the one allowed center the document belongs to: same rows, cheaper plans.
        scope = [center_id]
        query = "summary_orders_by_summary" if head["kind"] == "summary_invoice" else "summary_orders_by_invoice"
        orders = _rows(conn, query, center_ids=scope, center_id=center_id, document_no=number)
        invoice_nos = [str(o["invoice_no"]) for o in orders] or [number]
        lines = _rows(conn, "summary_lines", center_ids=scope, center_id=center_id, invoice_nos=invoice_nos)
        payments = _rows(conn, "summary_payments", center_ids=scope, center_id=center_id, invoice_nos=invoice_nos)
    others = [(str(h["center_code"]), str(h["center_name"])) for h in heads_by_center
              if int(h["center_id"]) != center_id]
    return assemble(number, head, orders, lines, payments, in_ledger, others)


def _timestamp(v) -> pd.Timestamp:
    """A timestamp column's value (text on SQLite) as a Timestamp; NaT when empty or unreadable."""
    if not is_set(v):
        return pd.NaT
    try:
        return pd.Timestamp(v)
    except (ValueError, TypeError):
        return pd.NaT


def _money(v) -> float:
    return float(v) if is_set(v) else float("nan")


def _str(v) -> str:
    return v if isinstance(v, str) else ""


def assemble(number: str, head, orders: list, lines: list, payments: list, in_ledger: bool,
             others: list[tuple[str, str]]) -> SummaryDetails:
    """The page from the header row and the order, line and payment rows (mappings)."""
    get = head.get
    platform = get("platform")
    status = get("status") if in_ledger else None
    header = {
        "sync_date": as_date(get("sync_date")),
        "amount": float(head["amount"]) if in_ledger and is_set(get("amount")) else None,
        "status": status_name(status),
        "status_code": status,
        "response": response_text(status, get("category"), get("message"), get("reference"), get("pending_reason")),
        "response_code": get("response_code") if in_ledger and is_set(get("response_code")) else None,
        "attempts": int(head["attempts"]) if in_ledger and is_set(get("attempts")) else 0,
        "last_attempt": _timestamp(get("last_attempt_at")) if in_ledger else None,
        "external_ref": get("external_ref") if in_ledger and is_set(get("external_ref")) else None,
        "category": get("category") if in_ledger else None,
        "message": get("message") if in_ledger else None,
        "reference": get("reference") if in_ledger else None,
    }
    raw = get("raw_response") if in_ledger and is_set(get("raw_response")) else None

    line_counts: dict[str, int] = {}
    for r in lines:
        line_counts[r["invoice_no"]] = line_counts.get(r["invoice_no"], 0) + 1
    paid: dict[str, float] = {}
    for r in payments:
        if is_set(r["amount"]):
            paid[r["invoice_no"]] = paid.get(r["invoice_no"], 0.0) + float(r["amount"])
    order_nos = [str(o["invoice_no"]) for o in orders]
    order_table = _frame({
        "Invoice no": (order_nos, object),
        "Guest": ([o["guest"] if is_set(o["guest"]) else "" for o in orders], object),
        "Sale date": ([as_date(o["sale_date"]) for o in orders], object),
        "Amount": ([_money(o["amount"]) for o in orders], "float64"),
        "Lines": ([line_counts.get(n, 0) for n in order_nos], "int64"),
        "Payments": ([paid.get(n, 0.0) for n in order_nos], "float64"),
    }, ORDER_COLUMNS)

    line_flags = [reference_flag([("item", r["item_code"], r["item_deleted_at"], None),
                                  ("account", r["account_code"], r["account_deleted_at"], r["account_active"])],
                                 platform) for r in lines]
    line_table = _frame({
        "Invoice no": ([str(r["invoice_no"]) for r in lines], object),
        "Line": ([int(r["line_no"]) if is_set(r["line_no"]) else 0 for r in lines], "int64"),
        "Item": ([_named(r["item_code"], r["item_name"]) for r in lines], object),
        "Item type": ([_str(r["item_type"]) for r in lines], object),
        "Mapped item type": ([_str(r["mapped_item_type"]) for r in lines], object),
        "Platform item": ([_str(r["platform_item"]) for r in lines], object),
        "Mapped account": ([_named(r["account_code"], r["account_name"], "— not mapped") for r in lines], object),
        "Qty": ([_money(r["qty"]) for r in lines], "float64"),
        "Amount": ([_money(r["amount"]) for r in lines], "float64"),
        "Deleted in platform": (line_flags, object),
    }, LINE_COLUMNS)

    pay_flags = [reference_flag([("account", r["account_code"], r["account_deleted_at"], r["account_active"])],
                                platform) for r in payments]
    pay_status = [r["status"] for r in payments]
    pay_table = _frame({
        "Invoice no": ([str(r["invoice_no"]) for r in payments], object),
        "Payment no": ([str(r["payment_no"]) for r in payments], object),
        "Payment type": ([_str(r["payment_type"]) for r in payments], object),
        "Mapped payment account": ([_named(r["account_code"], r["account_name"], "— not mapped")
                                    for r in payments], object),
        "Amount": ([_money(r["amount"]) for r in payments], "float64"),
        "Date": ([as_date(r["paid_on"]) for r in payments], object),
        "Status": ([status_name(st) for st in pay_status], object),
        "Will fail": ([will_fail(st, fl) for st, fl in zip(pay_status, pay_flags, strict=True)], object),
        "Deleted in platform": (pay_flags, object),
        "Response message": ([response_text(r["status"], r["category"], r["message"], r["reference"],
                                            r["pending_reason"]) for r in payments], object),
    }, PAYMENT_COLUMNS)

    tie = TieOut(round(float(order_table["Amount"].sum()), 2), header["amount"])
    return SummaryDetails(
        number=number, kind=str(head["kind"]), center_id=int(head["center_id"]),
        center_code=str(head["center_code"]), center_name=str(head["center_name"]),
        platform=platform if isinstance(platform, str) else None, header=header, raw_response=raw,
        orders=order_table, lines=line_table, line_marks=["deleted" if f else None for f in line_flags],
        payments=pay_table, payment_marks=row_marks(pay_status, pay_flags), tie_out=tie, in_ledger=in_ledger,
        other_centers=others,
        payment_causes={str(r["payment_no"]): (r["category"], r["message"], r["reference"]) for r in payments},
    )


def _frame(columns: dict[str, tuple[list, object]], names: list[str]) -> pd.DataFrame:
    """A table from (values, dtype) per column, built straight from its arrays: the page's dozen rows cost a tenth
    of what pandas' constructor spends aligning one Series per column (about 2 ms a table, the bulk of the
    drill-down's Python time). Text columns stay object dtype, as the rest of the page expects."""
    arrays = []
    for name in names:
        values, dtype = columns[name]
        a = np.empty(len(values), dtype=dtype)
        a[:] = values
        arrays.append(a)
    build = getattr(pd.DataFrame, "_from_arrays", None)
    if build is None:   # not in this pandas: the public constructor, same result
        return pd.DataFrame({n: pd.Series(a, dtype=a.dtype) for n, a in zip(names, arrays, strict=True)}, columns=names)
    return build(arrays, columns=pd.Index(names), index=pd.RangeIndex(len(arrays[0]) if arrays else 0),
                 verify_integrity=False)


def _named(code, name, missing: str = "") -> str:
    if not is_set(code):
        return missing
    return f"{code} · {name}" if is_set(name) else f"{code} (unknown)"

