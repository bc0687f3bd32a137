"""The Trends rollups `sync_center_period` and `spike_baseline`, derived from `sync_center_day`.

`refresh` recounts them for some centers from a date on, inside the caller's transaction, right after
`sync_center_day` itself was refreshed from that date (rollup.refresh_center_day):

- sync_center_period: the week (Monday first) and month sums of the day counts, from the week and the month
  holding date_from on;
- spike_baseline: each day's failure rate and its trailing baseline over schema.SPIKE_BASELINE_DAYS calendar
  days, from date_from on (reading that many days of history before it).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Connection

from syncstatus import sql
from syncstatus.schema import SPIKE_BASELINE_DAYS

_EARLIEST = date(1, 1, 1) + timedelta(days=SPIKE_BASELINE_DAYS)  # history_from must stay a valid date


def refresh(conn: Connection, center_ids: list[int], date_from: date) -> None:
    """Recount the Trends rollups of these centers from date_from on, from sync_center_day."""
    ids = sorted({int(c) for c in center_ids})
    if not ids:
        return
    d0 = max(date_from, _EARLIEST)
    week_from, month_from = d0 - timedelta(days=d0.weekday()), d0.replace(day=1)
    sql.execute(conn, "rollup_trends_period_delete", center_ids=ids, week_from=week_from, month_from=month_from)
    sql.execute(conn, "rollup_trends_period_insert", center_ids=ids, week_from=week_from, month_from=month_from)
    sql.execute(conn, "rollup_trends_spike_delete", center_ids=ids, date_from=d0)
    sql.execute(conn, "rollup_trends_spike_insert", center_ids=ids, date_from=d0,
                history_from=d0 - timedelta(days=SPIKE_BASELINE_DAYS), window_days=SPIKE_BASELINE_DAYS)

