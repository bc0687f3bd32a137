"""The rollups `sync_daily`, `sync_monthly` and `sync_center_day`, and `center_sync_config.effective_to`.

Both rollups are derived data: `refresh` recomputes a block of them from the detail rows (DELETE, then
INSERT ... SELECT ... GROUP BY), inside the caller's transaction, so the importer keeps them in step with
`sync_document` atomically. The report-line rule lives in queries/rollup_daily_insert.sql:

- kind 'invoice' counts as 'invoices' on dates whose configuration is invoice_wise or invoice_wise_journal
  (or when no configuration is in force), otherwise 'not_counted';
- kind 'summary_invoice' counts as 'invoices' on day_wise / day_wise_journal dates, otherwise 'not_counted'; of a
  center's non-archived summary invoices of one date only the newest counts (never attempted, else the latest
  last_attempt_at, then the greatest number), the others are 'not_counted';
- misc_journal -> misc_journals, payment -> payments, refund -> refunds, purchase_order -> purchase_orders,
  transfer_order -> transfer_orders.

The configuration in force on a date is the row with effective_from <= date < effective_to (effective_to
NULL: still in force). Archived documents are counted with status 'archived'. Failed documents carry their
parsed failure category ('unknown' when none); every other status has category ''.

`sync_center_day` pivots sync_daily's two report lines into one row per center and date, with running totals
(see schema.py); a refresh from date d recounts it from d to the center's last date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy.engine import Connection

from syncstatus import rollup_blocked, rollup_trends, sql

# The whole calendar, for "every date of these centers".
MIN_DATE = date(1, 1, 1)
MAX_DATE = date(9999, 12, 31)


def _as_date(value: date | str | None, default: date) -> date:
    if value is None:
        return default
    if isinstance(value, str):  # SQLite hands dates back as ISO text from untyped queries
        return date.fromisoformat(value[:10])
    return value


def month_end(d: date) -> date:
    """The last day of d's month."""
    if d.month == 12:
        return date(d.year, 12, 31)
    return date(d.year, d.month + 1, 1) - timedelta(days=1)


def _ids(center_ids: Iterable[int]) -> list[int]:
    return sorted({int(c) for c in center_ids})


def refresh(
    conn: Connection,
    center_ids: Iterable[int],
    date_from: date | str | None = None,
    date_to: date | str | None = None,
) -> None:
    """Recompute sync_daily for these centers and sync dates (inclusive; None = unbounded), and
    sync_monthly for every month the range touches. Runs in the caller's transaction."""
    ids = _ids(center_ids)
    if not ids:
        return
    d0 = _as_date(date_from, MIN_DATE)
    d1 = _as_date(date_to, MAX_DATE)
    if d0 > d1:
        d0, d1 = d1, d0
    sql.execute(conn, "rollup_daily_delete", center_ids=ids, date_from=d0, date_to=d1)
    sql.execute(conn, "rollup_daily_insert", center_ids=ids, date_from=d0, date_to=d1)
    m0, m_end = d0.replace(day=1), month_end(d1)
    sql.execute(conn, "rollup_monthly_delete", center_ids=ids, month_from=m0, month_to=d1.replace(day=1))
    sql.execute(conn, "rollup_monthly_insert", center_ids=ids, month_from=m0, month_end=m_end)
    refresh_center_day(conn, ids, d0)


def refresh_center_day(conn: Connection, center_ids: Iterable[int], date_from: date | str | None = None) -> None:
    """Recompute sync_center_day from sync_daily for these centers' dates on or after date_from: running totals
    after a changed date all change. Runs in the caller's transaction."""
    ids = _ids(center_ids)
    if not ids:
        return
    d0 = _as_date(date_from, MIN_DATE)
    sql.execute(conn, "rollup_center_day_delete", center_ids=ids, date_from=d0)
    sql.execute(conn, "rollup_center_day_insert", center_ids=ids, date_from=d0)
    rollup_trends.refresh(conn, ids, d0)   # the Trends rollups derived from sync_center_day


def refresh_centers(conn: Connection, center_ids: Iterable[int]) -> None:
    """Recompute the whole rollup of these centers (after their configuration changed)."""
    refresh(conn, center_ids, MIN_DATE, MAX_DATE)


def update_effective_to(conn: Connection, center_ids: Iterable[int]) -> None:
    """Set each config's effective_to to the next config's effective_from (NULL for the newest)."""
    ids = _ids(center_ids)
    if ids:
        sql.execute(conn, "rollup_effective_to", center_ids=ids)


def all_center_ids(conn: Connection) -> list[int]:
    return [int(r[0]) for r in sql.execute(conn, "rollup_center_ids")]


def refresh_all(conn: Connection) -> None:
    """Rebuild effective_to and every rollup for every center (e.g. after a manual repair)."""
    ids = all_center_ids(conn)
    update_effective_to(conn, ids)
    refresh_centers(conn, ids)
    rollup_blocked.refresh(conn, ids)   # the blocked-references rollup, whole centers
