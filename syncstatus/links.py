"""The one place that names pages and builds every link the app emits (page + query parameters).

Importable without Streamlit, so emails and exports build the same links the pages do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str          # script path relative to the project root, as st.Page / st.switch_page take it
    title: str
    icon: str
    group: str         # sidebar section
    in_menu: bool = True
    admin_only: bool = False

    @property
    def url_path(self) -> str:
        return "" if self.key == "home" else self.key


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "pages/home.py", "Overview", ":material/home:", "Reports"),
    PageSpec("sync_status", "pages/sync_status.py", "Sync Status", ":material/sync_problem:", "Reports"),
    PageSpec("sale_orders", "pages/sale_orders.py", "Sale Orders", ":material/receipt_long:", "Reports"),
    PageSpec("sale_order_summary_details", "pages/sale_order_summary_details.py", "Sale Order Summary Details",
             ":material/description:", "Reports", in_menu=False),
    PageSpec("payments", "pages/payments.py", "Payments", ":material/payments:", "Reports"),
    PageSpec("misc_journal_entries", "pages/misc_journal_entries.py", "Misc Journal Entries", ":material/book:", "Reports"),
    PageSpec("items", "pages/items.py", "Items", ":material/inventory_2:", "Reports"),
    PageSpec("chart_of_accounts", "pages/chart_of_accounts.py", "Chart of Accounts", ":material/account_tree:", "Reports"),
    PageSpec("trends", "pages/trends.py", "Trends", ":material/monitoring:", "Insights"),
    PageSpec("operations", "pages/operations.py", "Operations", ":material/engineering:", "Insights"),
    PageSpec("email_schedules", "pages/email_schedules.py", "Email Schedules", ":material/schedule_send:", "Email"),
    PageSpec("email_deliveries", "pages/email_deliveries.py", "Delivery Log", ":material/outbox:", "Email"),
    PageSpec("audit", "pages/audit.py", "Audit Log", ":material/policy:", "Admin", admin_only=True),
)
PAGE_BY_KEY = {p.key: p for p in PAGES}


class Param:
    """Query-parameter names, named once."""

    DATE_FROM = "date_from"
    DATE_TO = "date_to"
    ZONE = "zone"
    CENTER = "center"
    PLATFORM = "platform"
    STATUS = "status"
    CATEGORY = "category"
    KIND = "kind"
    INVOICE = "invoice"
    LEVEL = "level"
    ONLY = "only"
    DELETED = "deleted"
    GRAIN = "grain"
    BY = "by"
    ORDER_CENTER = "order_center"  # Operations: the center whose order documents are listed (not the filter bar's)


def _clean(params: dict) -> dict[str, str | list[str]]:
    """Drop empty values; dates to ISO; lists stay lists (repeated URL parameters, as bound multiselects use)."""
    out: dict[str, str | list[str]] = {}
    for k, v in params.items():
        if v is None or v == "" or v == [] or v == ():
            continue
        if isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, (list, tuple)):
            out[k] = [str(x) for x in v]
            continue
        out[k] = str(v)
    return out


@dataclass(frozen=True)
class Link:
    page: str                 # page key
    params: dict[str, str | list[str]]

    @property
    def path(self) -> str:
        return PAGE_BY_KEY[self.page].path

    def url(self, base: str = "") -> str:
        query = urlencode(self.params, doseq=True)
        return f"{base.rstrip('/')}/{PAGE_BY_KEY[self.page].url_path}" + (f"?{query}" if query else "")


def to(page: str, **params) -> Link:
    if page not in PAGE_BY_KEY:
        raise KeyError(f"unknown page {page!r}")
    return Link(page, _clean(params))


def summary_invoice(invoice_no: str) -> Link:
    return to("sale_order_summary_details", **{Param.INVOICE: invoice_no})


def center_documents(center_code: str, date_from: date, date_to: date, status: str | None = None,
                     kind: str = "invoices") -> Link:
    """Drill from a Sync Status count into the documents behind it."""
    page = "misc_journal_entries" if kind == "misc_journals" else "sale_orders"
    return to(page, **{Param.CENTER: center_code, Param.DATE_FROM: date_from, Param.DATE_TO: date_to,
                       Param.STATUS: status})
