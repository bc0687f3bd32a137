"""Sale Order Summary Details: one summary invoice (or one Invoice Wise invoice) with its sale orders, their lines
and payments, each payment's own sync status, and the tie-out of the orders against the document's amount.

Every lookup goes through an index (ix_sync_document_no, ix_sale_order_summary / uq_sale_order, uq_sale_order_line,
ix_payment_invoice, uq_sync_document), so opening one summary stays fast at any number of centers.
A number that does not exist and a number in a center the viewer may not see both give None.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from syncstatus import messages, sql
from syncstatus.reports.documents import (
    FAILED_COLUMNS,
    KIND_NAMES,
    STATUS_NAMES,
    as_count,
    as_dates,
    as_datetimes,
    as_money,
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


def load(engine, center_ids: tuple[int, ...], number: str, center_code: str | None = None) -> SummaryDetails | None:
    """The summary invoice or invoice numbered `number` in the viewer's centers, or None.

    When several of the viewer's centers use the same number, `center_code` picks one (default: the first by code).
    """
    ids = [int(c) for c in center_ids]
    if not ids or not number:
        return None
    with engine.connect() as conn:
        heads = sql.frame(conn, "summary_header", center_ids=ids, document_no=number)
        in_ledger = not heads.empty
        if not in_ledger:
            heads = sql.frame(conn, "summary_unsent", center_ids=ids, document_no=number)
            if heads.empty:
                return None
        # One document per center: a summary invoice wins over an invoice of the same number.
        heads = heads.drop_duplicates("center_id", keep="first").reset_index(drop=True)
        pick = heads[heads["center_code"] == center_code] if center_code else heads.iloc[0:0]
        head = (pick if not pick.empty else heads).iloc[0]
        center_id = int(head["center_id"])
        # From here on the scope is the one allowed center the document belongs to: same rows, cheaper plans.
        scope = [center_id]
        query = "summary_orders_by_summary" if head["kind"] == "summary_invoice" else "summary_orders_by_invoice"
        orders = sql.frame(conn, query, center_ids=scope, center_id=center_id, document_no=number)
        invoice_nos = [str(x) for x in orders["invoice_no"]] or [number]
        lines = sql.frame(conn, "summary_lines", center_ids=scope, center_id=center_id, invoice_nos=invoice_nos)
        payments = sql.frame(conn, "summary_payments", center_ids=scope, center_id=center_id,
                             invoice_nos=invoice_nos)
    others = [(str(r.center_code), str(r.center_name)) for r in heads.itertuples() if int(r.center_id) != center_id]
    return assemble(number, head, orders, lines, payments, in_ledger, others)


def assemble(number: str, head: pd.Series, orders: pd.DataFrame, lines: pd.DataFrame, payments: pd.DataFrame,
             in_ledger: bool, others: list[tuple[str, str]]) -> SummaryDetails:
    platform = head.get("platform")
    status = head.get("status") if in_ledger else None
    header = {
        "sync_date": as_dates(pd.Series([head.get("sync_date")])).iloc[0],
        "amount": float(head["amount"]) if in_ledger and is_set(head.get("amount")) else None,
        "status": status_name(status),
        "status_code": status,
        "response": response_text(status, head.get("category"), head.get("message"), head.get("reference"),
                                  head.get("pending_reason")),
        "response_code": head.get("response_code") if in_ledger and is_set(head.get("response_code")) else None,
        "attempts": int(head["attempts"]) if in_ledger and is_set(head.get("attempts")) else 0,
        "last_attempt": as_datetimes(pd.Series([head.get("last_attempt_at")])).iloc[0] if in_ledger else None,
        "external_ref": head.get("external_ref") if in_ledger and is_set(head.get("external_ref")) else None,
        "category": head.get("category") if in_ledger else None,
        "message": head.get("message") if in_ledger else None,
        "reference": head.get("reference") if in_ledger else None,
    }
    raw = head.get("raw_response") if in_ledger and is_set(head.get("raw_response")) else None

    line_counts = lines.groupby("invoice_no").size() if not lines.empty else pd.Series(dtype="int64")
    paid = (payments.assign(_amt=as_money(payments["amount"])).groupby("invoice_no")["_amt"].sum()
            if not payments.empty else pd.Series(dtype="float64"))
    order_table = pd.DataFrame({
        "Invoice no": orders["invoice_no"].astype(str) if not orders.empty else pd.Series(dtype=object),
        "Guest": orders["guest"].where(orders["guest"].notna(), "") if not orders.empty else pd.Series(dtype=object),
        "Sale date": as_dates(orders["sale_date"]) if not orders.empty else pd.Series(dtype=object),
        "Amount": as_money(orders["amount"]) if not orders.empty else pd.Series(dtype="float64"),
    })
    order_table["Lines"] = as_count(order_table["Invoice no"].map(line_counts))
    order_table["Payments"] = order_table["Invoice no"].map(paid).fillna(0.0).astype("float64")
    order_table = order_table[ORDER_COLUMNS]

    line_flags = [reference_flag([("item", r.item_code, r.item_deleted_at, None),
                                  ("account", r.account_code, r.account_deleted_at, r.account_active)], platform)
                  for r in lines.itertuples()]
    line_table = pd.DataFrame({
        "Invoice no": lines["invoice_no"].astype(str) if not lines.empty else pd.Series(dtype=object),
        "Line": as_count(lines["line_no"]) if not lines.empty else pd.Series(dtype="int64"),
        "Item": [_named(c, n) for c, n in zip(lines.get("item_code", []), lines.get("item_name", []), strict=True)],
        "Item type": _text(lines, "item_type"),
        "Mapped item type": _text(lines, "mapped_item_type"),
        "Platform item": _text(lines, "platform_item"),
        "Mapped account": [_named(c, n, "— not mapped") for c, n in
                           zip(lines.get("account_code", []), lines.get("account_name", []), strict=True)],
        "Qty": as_money(lines["qty"]) if not lines.empty else pd.Series(dtype="float64"),
        "Amount": as_money(lines["amount"]) if not lines.empty else pd.Series(dtype="float64"),
        "Deleted in platform": line_flags,
    })[LINE_COLUMNS]

    pay_flags = [reference_flag([("account", r.account_code, r.account_deleted_at, r.account_active)], platform)
                 for r in payments.itertuples()]
    pay_status = list(payments["status"]) if not payments.empty else []
    pay_table = pd.DataFrame({
        "Invoice no": payments["invoice_no"].astype(str) if not payments.empty else pd.Series(dtype=object),
        "Payment no": payments["payment_no"].astype(str) if not payments.empty else pd.Series(dtype=object),
        "Payment type": _text(payments, "payment_type"),
        "Mapped payment account": [_named(c, n, "— not mapped") for c, n in
                                   zip(payments.get("account_code", []), payments.get("account_name", []),
                                       strict=True)],
        "Amount": as_money(payments["amount"]) if not payments.empty else pd.Series(dtype="float64"),
        "Date": as_dates(payments["paid_on"]) if not payments.empty else pd.Series(dtype=object),
        "Status": [status_name(s) for s in pay_status],
        "Will fail": [will_fail(s, fl) for s, fl in zip(pay_status, pay_flags, strict=True)],
        "Deleted in platform": pay_flags,
        "Response message": [response_text(*r) for r in
                             zip(pay_status, payments.get("category", []), payments.get("message", []),
                                 payments.get("reference", []), payments.get("pending_reason", []), strict=True)],
    })[PAYMENT_COLUMNS]

    tie = TieOut(round(float(order_table["Amount"].sum()), 2), header["amount"])
    return SummaryDetails(
        number=number, kind=str(head["kind"]), center_id=int(head["center_id"]),
        center_code=str(head["center_code"]), center_name=str(head["center_name"]),
        platform=platform if isinstance(platform, str) else None, header=header, raw_response=raw,
        orders=order_table, lines=line_table, line_marks=["deleted" if f else None for f in line_flags],
        payments=pay_table, payment_marks=row_marks(pay_status, pay_flags), tie_out=tie, in_ledger=in_ledger,
        other_centers=others,
        payment_causes={str(r.payment_no): (r.category, r.message, r.reference) for r in payments.itertuples()},
    )


def _text(df: pd.DataFrame, column: str) -> list[str]:
    return [v if isinstance(v, str) else "" for v in df.get(column, [])]


def _named(code, name, missing: str = "") -> str:
    if not is_set(code):
        return missing
    return f"{code} · {name}" if is_set(name) else f"{code} (unknown)"

