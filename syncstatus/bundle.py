"""The sync-log bundle format: one CSV (or JSON Lines) file per entity, the contract between
writers (the demo generator, a customer's export) and the importer. docs/DATA_FORMAT.md explains it.

Each entity lists its columns in order, with type, whether required, and allowed values.
Files load in ENTITY_ORDER so references (center_code, invoice_no…) resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from syncstatus import schema

# Status names of older exports, accepted for the canonical status (docs/DATA_FORMAT.md): Pending and Failed are the
# allowed values in another case, Synced is the old word for processed.
LEGACY_STATUSES: tuple[tuple[str, str], ...] = (("synced", "processed"),)

# Column types the importer validates: str, int (>= 0 unless noted), decimal, date (YYYY-MM-DD),
# datetime (ISO 8601, 'YYYY-MM-DDTHH:MM:SS', naive UTC or with offset), bool (true/false/1/0/yes/no).


@dataclass(frozen=True)
class Col:
    name: str
    type: str = "str"
    required: bool = True
    allowed: tuple[str, ...] | None = None
    max_len: int | None = None
    min_value: float | None = None
    doc: str = ""
    legacy: tuple[tuple[str, str], ...] = ()   # (legacy name, allowed value it stands for), any case


@dataclass(frozen=True)
class Entity:
    name: str               # file stem: centers.csv / centers.jsonl
    table: str              # target table
    key: tuple[str, ...]    # natural key within the bundle
    columns: tuple[Col, ...]
    doc: str = ""
    refs: dict[str, str] = field(default_factory=dict)  # column -> what it must name

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


CODE = 40
NO = 60

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "zones", "zone", ("zone_code",),
            (Col("zone_code", max_len=CODE), Col("zone_name", max_len=200)),
            "Zones of the organization.",
        ),
        Entity(
            "centers", "center", ("center_code",),
            (
                Col("center_code", max_len=CODE),
                Col("center_name", max_len=200),
                Col("zone_code", max_len=CODE),
                Col("platform", allowed=schema.PLATFORMS, doc="accounting platform"),
                Col("timezone", required=False, max_len=64, doc="IANA name, default UTC"),
                Col("active", "bool", required=False, doc="default true"),
            ),
            "Centers (locations), each in one zone and connected to one accounting platform.",
            {"zone_code": "zones"},
        ),
        Entity(
            "sync_configs", "center_sync_config", ("center_code", "effective_from"),
            (
                Col("center_code", max_len=CODE),
                Col("effective_from", "date"),
                Col("sync_type", allowed=schema.SYNC_TYPES),
            ),
            "A center's sync configuration from a date on, until the next row of the same center.",
            {"center_code": "centers"},
        ),
        Entity(
            "sync_jobs", "sync_job", ("center_code", "job"),
            (
                Col("center_code", max_len=CODE),
                Col("job", allowed=schema.JOBS),
                Col("enabled", "bool"),
                Col("schedule", required=False, max_len=100, doc="e.g. 'daily 02:00'"),
            ),
            "Which jobs a center has. Deleted purchase/transfer orders need the maintenance job.",
            {"center_code": "centers"},
        ),
        Entity(
            "job_runs", "job_run", ("center_code", "job", "started_at"),
            (
                Col("center_code", max_len=CODE),
                Col("job", allowed=schema.JOBS),
                Col("started_at", "datetime"),
                Col("finished_at", "datetime", required=False),
                Col("status", allowed=schema.JOB_RUN_STATUSES),
                Col("processed", "int", required=False, min_value=0),
                Col("failed", "int", required=False, min_value=0),
                Col("message", required=False, max_len=2000),
            ),
            "Runs of the sync jobs.",
            {"center_code": "centers"},
        ),
        Entity(
            "accounts", "account", ("center_code", "account_code"),
            (
                Col("center_code", max_len=CODE),
                Col("account_code", max_len=NO),
                Col("account_name", max_len=200),
                Col("account_type", allowed=schema.ACCOUNT_TYPES),
                Col("active", "bool", required=False),
                Col("last_read_at", "datetime", required=False),
                Col("deleted_in_platform_at", "datetime", required=False, doc="set when the account was deleted or archived in the platform"),
            ),
            "The platform's chart of accounts as last read for the center.",
            {"center_code": "centers"},
        ),
        Entity(
            "items", "item", ("center_code", "item_code"),
            (
                Col("center_code", max_len=CODE),
                Col("item_code", max_len=NO),
                Col("item_name", max_len=200),
                Col("item_type", allowed=schema.ITEM_TYPES),
                Col("mapped_item_type", required=False, max_len=30),
                Col("platform_item", required=False, max_len=200),
                Col("account_code", required=False, max_len=NO),
                Col("status", required=False, allowed=("pending", "processed", "failed"), legacy=LEGACY_STATUSES),
                Col("response", required=False, max_len=100_000),
                Col("deleted_in_platform_at", "datetime", required=False),
            ),
            "Items (services, products…) mapped to platform items.",
            {"center_code": "centers"},
        ),
        Entity(
            "sale_orders", "sale_order", ("center_code", "invoice_no"),
            (
                Col("center_code", max_len=CODE),
                Col("invoice_no", max_len=NO),
                Col("guest", required=False, max_len=200),
                Col("sale_date", "date"),
                Col("amount", "decimal"),
                Col("summary_invoice_no", required=False, max_len=NO, doc="the day's summary invoice for Day Wise centers"),
            ),
            "Sale orders (invoices) of the point-of-sale system.",
            {"center_code": "centers"},
        ),
        Entity(
            "sale_order_lines", "sale_order_line", ("center_code", "invoice_no", "line_no"),
            (
                Col("center_code", max_len=CODE),
                Col("invoice_no", max_len=NO),
                Col("line_no", "int", min_value=1),
                Col("item_code", max_len=NO),
                Col("account_code", required=False, max_len=NO),
                Col("qty", "decimal"),
                Col("amount", "decimal"),
            ),
            "Lines of a sale order.",
            {"center_code": "centers"},
        ),
        Entity(
            "payments", "payment", ("center_code", "payment_no"),
            (
                Col("center_code", max_len=CODE),
                Col("payment_no", max_len=NO),
                Col("invoice_no", max_len=NO),
                Col("payment_type", max_len=NO),
                Col("account_code", required=False, max_len=NO),
                Col("amount", "decimal"),
                Col("paid_on", "date"),
            ),
            "Payments against sale orders.",
            {"center_code": "centers"},
        ),
        Entity(
            "misc_journals", "misc_journal", ("center_code", "journal_no"),
            (
                Col("center_code", max_len=CODE),
                Col("journal_no", max_len=NO),
                Col("register", required=False, max_len=NO),
                Col("kind", allowed=schema.MISC_JOURNAL_KINDS),
                Col("journal_date", "date"),
                Col("debit_account_code", required=False, max_len=NO),
                Col("credit_account_code", required=False, max_len=NO),
                Col("amount", "decimal", min_value=0),
            ),
            "Miscellaneous journal entries: cash deposits, pay-ins, payouts, petty-cash expenses.",
            {"center_code": "centers"},
        ),
        Entity(
            "stock_orders", "stock_order", ("center_code", "kind", "order_no"),
            (
                Col("center_code", max_len=CODE),
                Col("kind", allowed=schema.STOCK_ORDER_KINDS),
                Col("order_no", max_len=NO),
                Col("order_date", "date"),
                Col("amount", "decimal"),
                Col("deleted_at", "datetime", required=False),
            ),
            "Purchase and transfer orders; deleted ones are processed by the maintenance job.",
            {"center_code": "centers"},
        ),
        Entity(
            "documents", "sync_document", ("center_code", "kind", "document_no"),
            (
                Col("center_code", max_len=CODE),
                Col("kind", allowed=schema.DOCUMENT_KINDS),
                Col("document_no", max_len=NO),
                Col("sync_date", "date"),
                Col("amount", "decimal", required=False),
                Col("status", allowed=schema.DOCUMENT_STATUSES, legacy=LEGACY_STATUSES),
                Col("pending_reason", required=False, allowed=schema.PENDING_REASONS),
                Col("attempts", "int", required=False, min_value=0),
                Col("last_attempt_at", "datetime", required=False),
                Col("external_ref", required=False, max_len=100),
                Col("response", required=False, max_len=100_000, doc="the platform's raw response body"),
            ),
            "The sync ledger: one row per document pushed, with its latest status and raw response.",
            {"center_code": "centers"},
        ),
    )
}

ENTITY_ORDER: tuple[str, ...] = tuple(ENTITIES)
