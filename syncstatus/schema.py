"""The whole domain's schema, defined once with SQLAlchemy Core; identical in meaning on SQLite and PostgreSQL.

Every table that holds center data carries `center_id`, so every query can filter by the viewer's
allowed centers and the schema can be distributed by center (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; BigInteger elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")
Money = Numeric(14, 2)

PLATFORMS = ("qbo", "xero", "intacct", "netsuite")
PLATFORM_NAMES = {"qbo": "QuickBooks Online", "xero": "Xero", "intacct": "Sage Intacct", "netsuite": "NetSuite"}
SYNC_TYPES = ("invoice_wise", "invoice_wise_journal", "day_wise", "day_wise_journal")
SYNC_TYPE_NAMES = {
    "invoice_wise": "Invoice Wise",
    "invoice_wise_journal": "Invoice Wise as journal entries",
    "day_wise": "Day Wise",
    "day_wise_journal": "Day Wise as journal entries",
}
JOBS = ("post_sale", "refund", "maintenance")
JOB_RUN_STATUSES = ("running", "succeeded", "failed")
DOCUMENT_KINDS = ("invoice", "summary_invoice", "payment", "refund", "misc_journal", "purchase_order", "transfer_order")
DOCUMENT_STATUSES = ("pending", "processed", "failed", "archived")
PENDING_REASONS = (
    "awaiting_schedule",
    "item_not_synced",
    "deleted_order_awaiting_maintenance",
    "integration_paused",
    "authorization_expired",
    "rate_limited",
)
MISC_JOURNAL_KINDS = ("cash_deposit", "cash_pay_in", "cash_payout", "petty_cash_expense")
STOCK_ORDER_KINDS = ("purchase_order", "transfer_order")
ACCOUNT_TYPES = ("asset", "bank", "liability", "equity", "income", "expense", "cost_of_goods_sold", "other")
ITEM_TYPES = ("service", "product", "package", "membership", "gift_card", "prepaid_card")
ROLES = ("admin", "zone", "center")
# Lines of the summary report a document counts in; computed when the rollup is refreshed.
REPORT_LINES = ("invoices", "misc_journals", "payments", "refunds", "purchase_orders", "transfer_orders", "not_counted")


def _enum_check(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    # A literal IN-list in DDL, not a query: the allowed values are constants of this module.
    quoted = ", ".join("'" + v + "'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


zone = Table(
    "zone",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
)

center = Table(
    "center",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("zone_id", Id, ForeignKey("zone.id"), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("active", Boolean, nullable=False, server_default="1"),
    _enum_check("platform", PLATFORMS, "ck_center_platform"),
)

center_sync_config = Table(
    "center_sync_config",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    # Derived on import: the next row's effective_from (exclusive), NULL for the config in force now.
    Column("effective_to", Date),
    Column("sync_type", String(30), nullable=False),
    _enum_check("sync_type", SYNC_TYPES, "ck_config_sync_type"),
)

sync_job = Table(
    "sync_job",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("job", String(20), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("schedule", String(100), nullable=False, server_default=""),
    _enum_check("job", JOBS, "ck_sync_job_job"),
)

job_run = Table(
    "job_run",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("job", String(20), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("status", String(20), nullable=False),
    Column("processed", Integer, nullable=False, server_default="0"),
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("message", Text),
    UniqueConstraint("center_id", "job", "started_at", name="uq_job_run"),
    _enum_check("status", JOB_RUN_STATUSES, "ck_job_run_status"),
)

account = Table(
    "account",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("code", String(60), nullable=False),
    Column("name", String(200), nullable=False),
    Column("type", String(30), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("last_read_at", DateTime),
    Column("deleted_in_platform_at", DateTime),
    UniqueConstraint("center_id", "code", name="uq_account"),
)

item = Table(
    "item",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("code", String(60), nullable=False),
    Column("name", String(200), nullable=False),
    Column("item_type", String(30), nullable=False),
    Column("mapped_item_type", String(30)),
    Column("platform_item", String(200)),
    Column("account_code", String(60)),
    Column("status", String(20), nullable=False, server_default="processed"),
    Column("raw_response", Text),
    Column("category", String(40)),
    Column("message", Text),
    Column("deleted_in_platform_at", DateTime),
    UniqueConstraint("center_id", "code", name="uq_item"),
)

sale_order = Table(
    "sale_order",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("invoice_no", String(60), nullable=False),
    Column("guest", String(200)),
    Column("sale_date", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("summary_invoice_no", String(60)),
    UniqueConstraint("center_id", "invoice_no", name="uq_sale_order"),
    Index("ix_sale_order_summary", "center_id", "summary_invoice_no"),
    Index("ix_sale_order_date", "center_id", "sale_date"),
)

sale_order_line = Table(
    "sale_order_line",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("invoice_no", String(60), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("item_code", String(60), nullable=False),
    Column("account_code", String(60)),
    Column("qty", Numeric(12, 3), nullable=False),
    Column("amount", Money, nullable=False),
    UniqueConstraint("center_id", "invoice_no", "line_no", name="uq_sale_order_line"),
    Index("ix_sale_order_line_item", "center_id", "item_code"),
    Index("ix_sale_order_line_account", "center_id", "account_code"),
)

payment = Table(
    "payment",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("payment_no", String(60), nullable=False),
    Column("invoice_no", String(60), nullable=False),
    Column("payment_type", String(60), nullable=False),
    Column("account_code", String(60)),
    Column("amount", Money, nullable=False),
    Column("paid_on", Date, nullable=False),
    UniqueConstraint("center_id", "payment_no", name="uq_payment"),
    Index("ix_payment_invoice", "center_id", "invoice_no"),
    Index("ix_payment_account", "center_id", "account_code"),
)

misc_journal = Table(
    "misc_journal",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("journal_no", String(60), nullable=False),
    Column("register", String(60)),
    Column("kind", String(30), nullable=False),
    Column("journal_date", Date, nullable=False),
    Column("debit_account_code", String(60)),
    Column("credit_account_code", String(60)),
    Column("amount", Money, nullable=False),
    UniqueConstraint("center_id", "journal_no", name="uq_misc_journal"),
    # Trends walk from an account deleted in the platform to the journals that post to it.
    Index("ix_misc_journal_debit", "center_id", "debit_account_code"),
    Index("ix_misc_journal_credit", "center_id", "credit_account_code"),
    _enum_check("kind", MISC_JOURNAL_KINDS, "ck_misc_journal_kind"),
)

stock_order = Table(
    "stock_order",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("order_no", String(60), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("deleted_at", DateTime),
    UniqueConstraint("center_id", "kind", "order_no", name="uq_stock_order"),
    _enum_check("kind", STOCK_ORDER_KINDS, "ck_stock_order_kind"),
)

# The ledger: one row per document pushed to the accounting platform, with its latest outcome.
sync_document = Table(
    "sync_document",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_id", Id, ForeignKey("center.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("document_no", String(60), nullable=False),
    Column("sync_date", Date, nullable=False),
    Column("amount", Money),
    Column("status", String(20), nullable=False),
    Column("pending_reason", String(40)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_attempt_at", DateTime),
    Column("external_ref", String(100)),
    Column("raw_response", Text),
    # Parsed from raw_response on import by syncstatus.messages.
    Column("response_code", String(60)),
    Column("category", String(40)),
    Column("message", Text),
    Column("reference", String(200)),
    Column("import_run_id", Id),
    UniqueConstraint("center_id", "kind", "document_no", name="uq_sync_document"),
    Index("ix_sync_document_report", "center_id", "sync_date", "kind", "status"),
    Index("ix_sync_document_no", "document_no"),
    _enum_check("kind", DOCUMENT_KINDS, "ck_sync_document_kind"),
    _enum_check("status", DOCUMENT_STATUSES, "ck_sync_document_status"),
)

# The rollups: maintained in the same transaction as the detail rows they summarize.
sync_daily = Table(
    "sync_daily",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("sync_date", Date, primary_key=True),
    Column("report_line", String(20), primary_key=True),
    Column("status", String(20), primary_key=True),
    # The parsed failure category for failed documents ('' otherwise), so reports group causes without detail rows.
    Column("category", String(40), primary_key=True, server_default=""),
    Column("documents", Integer, nullable=False),
    Index("ix_sync_daily_date", "sync_date", "center_id"),
)

sync_monthly = Table(
    "sync_monthly",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("month_start", Date, primary_key=True),
    Column("report_line", String(20), primary_key=True),
    Column("status", String(20), primary_key=True),
    # The parsed failure category for failed documents ('' otherwise), so reports group causes without detail rows.
    Column("category", String(40), primary_key=True, server_default=""),
    Column("documents", Integer, nullable=False),
    Index("ix_sync_monthly_month", "month_start", "center_id"),
)

# One row per center and sync date with documents on the report's two lines (invoices, misc. journals): that
# day's processed / pending / failed counts, its failures by category (both lines together), and the running
# total of each since the center's first date. The counts of any range [a, b] are the row at or before b minus
# the row before a: two index probes per center whatever the range (docs/PERFORMANCE.md). Derived from
# sync_daily by rollup.refresh in the same transaction.
FAILURE_CATEGORIES: tuple[str, ...] = (
    "mapping_missing", "reference_inactive_or_deleted", "duplicate", "stale_object", "period_locked",
    "validation", "document_state", "authorization", "subscription", "rate_limit", "platform_unavailable",
    "unknown",
)  # fmt: skip
DAY_COUNT_COLUMNS: tuple[str, ...] = (
    "inv_processed", "inv_pending", "inv_failed", "mj_processed", "mj_pending", "mj_failed",
    *(f"failed_{c}" for c in FAILURE_CATEGORIES),
)  # fmt: skip

sync_center_day = Table(
    "sync_center_day",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("sync_date", Date, primary_key=True),
    *(Column(name, Integer, nullable=False) for name in DAY_COUNT_COLUMNS),
    *(Column(f"run_{name}", BigInteger, nullable=False) for name in DAY_COUNT_COLUMNS),
    Index("ix_sync_center_day_date", "sync_date", "center_id"),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("email", String(254)),
    Column("display_name", String(200)),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(300)),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    _enum_check("role", ROLES, "ck_app_user_role"),
)

user_scope = Table(
    "user_scope",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True),
    # Exactly one of zone_id / center_id per row.
    Column("zone_id", Id, ForeignKey("zone.id")),
    Column("center_id", Id, ForeignKey("center.id")),
    CheckConstraint("(zone_id IS NULL) <> (center_id IS NULL)", name="ck_user_scope_one"),
)

email_schedule = Table(
    "email_schedule",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("owner_user_id", Id, ForeignKey("app_user.id")),
    Column("kind", String(20), nullable=False, server_default="report"),
    Column("report", String(40), nullable=False),
    Column("filters_json", Text, nullable=False, server_default="{}"),
    Column("date_range", String(40), nullable=False),
    Column("frequency_json", Text, nullable=False),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("recipients_json", Text, nullable=False),
    Column("formats", String(40), nullable=False, server_default="csv,xlsx"),
    Column("only_when_issues", Boolean, nullable=False, server_default="0"),
    Column("condition_json", Text),
    Column("paused", Boolean, nullable=False, server_default="0"),
    Column("last_alert_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

email_delivery = Table(
    "email_delivery",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("schedule_id", Id, ForeignKey("email_schedule.id", ondelete="SET NULL")),
    # One row per schedule occurrence and recipient: the unique key makes overlapping runners send once.
    Column("occurrence_key", String(200), nullable=False, unique=True),
    Column("occurrence_at", DateTime),
    Column("recipients", Text, nullable=False),
    Column("subject", String(300), nullable=False, server_default=""),
    Column("status", String(30), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime),
    Column("error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    # What to send (report, filters with fixed dates, formats, recipient, owner): retries and resends rebuild it.
    Column("request_json", Text),
    Column("requested_by", String(100)),
    Index("ix_email_delivery_schedule", "schedule_id", "occurrence_at"),
    Index("ix_email_delivery_retry", "status", "next_attempt_at"),
)

import_run = Table(
    "import_run",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("status", String(20), nullable=False),
    Column("rows_read", Integer, nullable=False, server_default="0"),
    Column("rows_loaded", Integer, nullable=False, server_default="0"),
    Column("rows_updated", Integer, nullable=False, server_default="0"),
    Column("rows_unchanged", Integer, nullable=False, server_default="0"),
    Column("rows_rejected", Integer, nullable=False, server_default="0"),
    Column("error", Text),
)

import_rejection = Table(
    "import_rejection",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("import_run_id", Id, ForeignKey("import_run.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("file_name", String(200), nullable=False),
    Column("line_no", Integer),
    Column("column_name", String(100)),
    Column("reason", Text, nullable=False),
    Column("raw_row", Text),
)

# Which centers each import run touched, for data freshness.
import_center = Table(
    "import_center",
    metadata,
    Column("import_run_id", Id, ForeignKey("import_run.id", ondelete="CASCADE"), primary_key=True),
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("newest_sync_date", Date),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("username", String(100)),
    Column("action", String(40), nullable=False),
    Column("detail", Text),
)

app_setting = Table(
    "app_setting",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# Tables whose rows belong to one center: guarded by :center_ids in SQL and by row-level security on PostgreSQL.
CENTER_TABLES = (
    "center_sync_config", "sync_job", "job_run", "account", "item", "sale_order", "sale_order_line",
    "payment", "misc_journal", "stock_order", "sync_document", "sync_daily", "sync_monthly", "sync_center_day",
)

# --- Trends rollups

# Derived from sync_center_day by rollup_trends.refresh in the importer's transaction (docs/REPORTS.md, Trends).
TREND_GRAINS = ("week", "month")
SPIKE_BASELINE_DAYS = 28  # the window of the default SpikeRule; other windows are computed live

# The week (Monday first) and month sums of sync_center_day's day counts: the Trends series reads whole periods
# here and only the partial periods at either end of a range from sync_center_day.
sync_center_period = Table(
    "sync_center_period",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("grain", String(5), primary_key=True),
    Column("period_start", Date, primary_key=True),
    *(Column(name, Integer, nullable=False) for name in DAY_COUNT_COLUMNS),
    _enum_check("grain", TREND_GRAINS, "ck_sync_center_period_grain"),
)

# Per center and day with settled (processed + failed) invoices and misc. journals: that day's failure rate and
# the trailing baseline over the SPIKE_BASELINE_DAYS calendar days before it (mean rate, mean squared rate, days
# with a rate; no history: NULL, NULL, 0). Spikes rise far above the baseline on busy days, so the index on the
# rise and the volume finds the few candidate days without reading the year.
spike_baseline = Table(
    "spike_baseline",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("sync_date", Date, primary_key=True),
    Column("failed", Integer, nullable=False),
    Column("settled", Integer, nullable=False),
    Column("rate", Float, nullable=False),
    Column("base_mean", Float),
    Column("base_square", Float),
    Column("base_days", Integer, nullable=False),
)
Index("ix_spike_baseline_rise", spike_baseline.c.rate - spike_baseline.c.base_mean, spike_baseline.c.settled)

CENTER_TABLES = (*CENTER_TABLES, "sync_center_period", "spike_baseline")

# --- Blocked references rollup

# Per center, deleted/inactive reference (an account deleted in the platform or inactive, an item deleted in the
# platform: the same rule as trends_deleted_refs.sql) and sync date: how many distinct failed and pending
# documents of that date reference it (invoices through their lines and payments, summary invoices through
# their sale orders, payments and misc. journals directly). A document has one sync date, so the day counts of
# a range add up to the range's distinct counts; the running totals since the reference's first row make any
# range [a, b] two index probes per reference (the row at or before b minus the row before a), however many days
# it blocks. Only references that are deleted or inactive have rows, and only days with a blocked document;
# rollup_blocked.refresh recounts whole centers in the importer's transaction (an import of accounts.csv /
# items.csv can delete or restore a reference).
REF_KINDS = ("account", "item")

blocked_reference_day = Table(
    "blocked_reference_day",
    metadata,
    Column("center_id", Id, ForeignKey("center.id"), primary_key=True),
    Column("ref_kind", String(10), primary_key=True),
    Column("code", String(60), primary_key=True),
    Column("sync_date", Date, primary_key=True),
    Column("failed_documents", Integer, nullable=False),
    Column("pending_documents", Integer, nullable=False),
    Column("run_failed_documents", BigInteger, nullable=False),
    Column("run_pending_documents", BigInteger, nullable=False),
    _enum_check("ref_kind", REF_KINDS, "ck_blocked_reference_day_kind"),
)

CENTER_TABLES = (*CENTER_TABLES, "blocked_reference_day")
