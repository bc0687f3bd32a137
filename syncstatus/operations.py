"""Operations: which sync jobs each center runs and how they went, what is stuck, and whether the data is fresh.

The three rules users rely on are pure functions over DataFrames, tested on constructed data:
- `maintenance_flags`: deleted purchase/transfer orders stay pending forever where the maintenance job is not
  enabled (the original product only says so in a note; here it is a flag per center);
- `job_health`: an enabled job whose last run failed, or with no successful run within its period plus a grace
  (26 h for a daily job), needs attention;
- `staleness`: a center whose newest sync date is older than today minus `stale_after_days` is stale.

`build` is the Operations page's one data function; `stale_centers` feeds the banner on the home page.
Times are naive UTC, like every DateTime column; `now` is always passed in, never read from the clock here.
No Streamlit here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from syncstatus import links, sql
from syncstatus.links import Param
from syncstatus.reports import documents
from syncstatus.reports.filters import ReportFilters, center_directory, select_centers
from syncstatus.schema import DOCUMENT_STATUSES, JOBS, STOCK_ORDER_KINDS
from syncstatus.wording import plural

JOB_NAMES = {"post_sale": "Post-sale", "refund": "Refund", "maintenance": "Maintenance"}
ORDER_NAMES = {"purchase_order": ("purchase order", "purchase orders"),
               "transfer_order": ("transfer order", "transfer orders")}
HEALTH_NAMES = {
    "ok": "OK",
    "running": "Running",
    "failed": "Last run failed",
    "overdue": "Overdue",
    "disabled": "Not enabled",
    "not_configured": "Not configured",
}
# Health that needs someone to act (rows shaded, alerts raised).
ATTENTION = ("failed", "overdue")
DEFAULT_PERIOD = timedelta(days=1)  # a schedule we cannot read is checked as daily: jobs here are daily
MIN_GRACE = timedelta(minutes=10)
ROW_LIMIT = 5000
ENABLE_HINT = ("Enable the daily maintenance job for this center in the point-of-sale's accounting integration "
               "settings; its next run processes the waiting deleted orders.")

ORDER_STATUSES = ("processed", "pending", "failed")
ORDER_COLUMNS = ["Zone", "Center",
                 *[f"{ORDER_NAMES[k][1].capitalize()} {s}" for k in STOCK_ORDER_KINDS for s in ORDER_STATUSES],
                 "Deleted orders pending (all dates)", "Maintenance job", "Flag"]
JOB_COLUMNS = ["Zone", "Center", "Job", "Health", "Enabled", "Schedule", "Last run started (UTC)", "Last run finished (UTC)",
               "Last run", "Processed", "Failed", "Health", "Details"]
FRESHNESS_COLUMNS = ["Zone", "Center", "Newest sync date", "Days behind", "Last import (UTC)", "Freshness"]
PROBLEM_COLUMNS = ["Zone", "Center", "Problem", "Dates", "How many", "What it means"]
PROBLEM_NAMES = {
    "no_config": "No sync configuration for these dates",
    "several_summaries": "Several summary invoices on one Day Wise day",
    "future_run": "Job run dated in the future",
}
PROBLEM_MEANINGS = {
    "no_config": "The Sync Status report lists the center and counts these dates Invoice Wise; add the center's "
                 "configuration (sync_configs.csv) with the right effective date.",
    "several_summaries": "The day counts once, with its newest summary invoice's status; the others are not counted "
                         "(docs/REPORTS.md).",
    "future_run": "Suspect: a run dated after now (clock or export error); it is never shown as the job's last run.",
}
DOCUMENT_COLUMNS = ["Center", "Kind", "Order no", "Sync date", "Amount", "Status", "Deleted in point of sale (UTC)",
                    "Response message", "Attempts", "Last attempt"]
DOC_STATUS_CHOICES = {"all": "All statuses", "pending": "Pending", "failed": "Failed", "processed": "Processed",
                      "issues": "Failed or pending", "archived": "Archived"}


# --- the rules -----------------------------------------------------------------------------------------------------

_EVERY = re.compile(r"^every\s+(\d+)\s*(m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)\b")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def schedule_period(schedule: str | None) -> timedelta | None:
    """How often a job runs, from its schedule text: 'daily 02:30', 'hourly', 'weekly mon 03:00',
    'every 15 minutes', or a five-field cron expression. None when it cannot be read."""
    text = (schedule or "").strip().lower()
    if not text:
        return None
    word = text.split()[0]
    if word in ("daily", "nightly"):
        return timedelta(days=1)
    if word == "hourly":
        return timedelta(hours=1)
    if word == "weekly":
        return timedelta(days=7)
    m = _EVERY.match(text)
    if m and int(m.group(1)) > 0:
        return timedelta(**{_UNITS[m.group(2)[0]]: int(m.group(1))})
    fields = text.split()
    if len(fields) == 5:
        minute, hour, dom, _month, dow = fields
        if minute.startswith("*/") and minute[2:].isdigit() and int(minute[2:]) > 0:
            return timedelta(minutes=int(minute[2:]))
        if hour.startswith("*/") and hour[2:].isdigit() and int(hour[2:]) > 0:
            return timedelta(hours=int(hour[2:]))
        if hour == "*":
            return timedelta(hours=1)
        if dow != "*" and dom == "*":
            return timedelta(days=7)
        if dom == "*":
            return timedelta(days=1)
    return None


def grace(period: timedelta) -> timedelta:
    """Slack after a missed period before a job counts as overdue: 1/12 of the period (2 h for a daily job)."""
    return max(period / 12, MIN_GRACE)


def _ts(value) -> datetime | None:
    """SQLite hands timestamps back as text, PostgreSQL as datetime: make both naive datetime (or None)."""
    if not documents.is_set(value) or value == "":
        return None
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        return None
    return ts.tz_convert(None).to_pydatetime() if ts.tzinfo else ts.to_pydatetime()


def _date(value) -> date | None:
    if not documents.is_set(value) or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return pd.Timestamp(value).date()


def _hours(td: timedelta) -> str:
    h = td.total_seconds() / 3600
    return f"{h:g} h" if h >= 1 else f"{round(td.total_seconds() / 60)} min"


def _enabled(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "yes")
    return documents.is_set(value) and bool(value)


def job_health(jobs: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Each job row with `health` (a HEALTH_NAMES key) and `problem` (a sentence, '' when healthy).

    `jobs` has center_id, job, configured, enabled, schedule, last_started_at, last_status, last_message and
    last_success_at (the latest successful run's end). An enabled job is:
    failed   when its latest run failed;
    overdue  when it has no successful run within its period + grace before `now` (never ran counts);
    running  when its latest run is still running (and it is not overdue); ok otherwise.
    """
    health, problems = [], []
    for r in jobs.itertuples(index=False):
        configured = bool(getattr(r, "configured", True))
        if not configured:
            health.append("not_configured")
            problems.append("")
            continue
        if not _enabled(r.enabled):
            health.append("disabled")
            problems.append("")
            continue
        period = schedule_period(r.schedule)
        read = period is not None
        period = period or DEFAULT_PERIOD
        limit = period + grace(period)
        started = _ts(r.last_started_at)
        success = _ts(r.last_success_at)
        name = JOB_NAMES.get(r.job, r.job)
        expected = f"expected every {_hours(period)}, overdue after {_hours(limit)}"
        if not read:
            expected += f"; schedule {str(r.schedule or '')[:40]!r} not recognized, checked as daily"
        if r.last_status == "failed":
            msg = str(r.last_message).strip() if documents.is_set(r.last_message) else ""
            when = f" at {started:%Y-%m-%d %H:%M} UTC" if started else ""
            health.append("failed")
            problems.append(f"{name} job: last run failed{when}" + (f": {msg}" if msg else ""))
        elif success is None or now - success > limit:
            since = f"no successful run since {success:%Y-%m-%d %H:%M} UTC" if success else "no successful run yet"
            health.append("overdue")
            problems.append(f"{name} job is overdue: {since} ({expected})")
        elif r.last_status == "running":
            health.append("running")
            problems.append("")
        else:
            health.append("ok")
            problems.append("")
    return jobs.assign(health=health, problem=problems)


def _order_phrase(kind: str, n: int) -> str:
    one, many = ORDER_NAMES.get(kind, (kind.replace("_", " "), kind.replace("_", " ") + "s"))
    return plural(n, f"deleted {one}", f"deleted {many}")


def maintenance_flags(jobs: pd.DataFrame, deleted_pending: pd.DataFrame) -> pd.DataFrame:
    """Centers whose deleted orders are pending *because* the maintenance job is not enabled there.

    `jobs`: center_id, job, enabled (rows for configured jobs). `deleted_pending`: center_id, kind, documents
    (deleted orders whose sync document is pending). Returns center_id, purchase_orders, transfer_orders,
    reason ('not_configured' | 'disabled') and message, one row per flagged center.
    """
    out = []
    maint = jobs[jobs["job"] == "maintenance"] if len(jobs) else jobs
    enabled = {int(c) for c, e in zip(maint.get("center_id", []), maint.get("enabled", []), strict=True)
               if _enabled(e)}
    configured = {int(c) for c in maint.get("center_id", [])}
    if len(deleted_pending):
        per = deleted_pending.groupby(["center_id", "kind"])["documents"].sum()
    else:
        per = pd.Series(dtype="int64")
    for cid in sorted({int(c) for c, _ in per.index}):
        if cid in enabled:
            continue
        counts = {k: int(per.get((cid, k), 0)) for k in STOCK_ORDER_KINDS}
        if not sum(counts.values()):
            continue
        reason = "disabled" if cid in configured else "not_configured"
        what = " and ".join(_order_phrase(k, n) for k, n in counts.items() if n)
        cause = "is not enabled" if reason == "disabled" else "is not configured"
        out.append({"center_id": cid, "purchase_orders": counts["purchase_order"],
                    "transfer_orders": counts["transfer_order"], "reason": reason,
                    "message": f"{what} will stay pending: the maintenance job {cause} for this center"})
    return pd.DataFrame(out, columns=["center_id", "purchase_orders", "transfer_orders", "reason", "message"])


def staleness(freshness: pd.DataFrame, today: date, stale_after_days: int) -> pd.DataFrame:
    """Each center with `days_behind` (today - newest sync date; None without data) and `stale`:
    the newest sync date is before today - stale_after_days, or there is no sync data at all."""
    limit = today - timedelta(days=stale_after_days)
    newest = [_date(v) for v in freshness.get("newest_sync_date", [])]
    behind = [(today - d).days if d else None for d in newest]
    stale = [d is None or d < limit for d in newest]
    return freshness.assign(newest_sync_date=pd.Series(newest, index=freshness.index, dtype=object),
                            days_behind=pd.Series(behind, index=freshness.index, dtype=object),
                            stale=pd.Series(stale, index=freshness.index, dtype=bool))


# --- reading the database ------------------------------------------------------------------------------------------

def _frame(engine, name: str, ids: list[int], columns: list[str], **binds) -> pd.DataFrame:
    if not ids:
        return pd.DataFrame(columns=columns)
    return sql.frame(engine, name, center_ids=ids, **binds)


def fetch_jobs(engine, ids: list[int], now: datetime) -> pd.DataFrame:
    """The configured jobs with their latest run and latest success up to `now` (later runs are suspect)."""
    return _frame(engine, "operations_jobs", ids,
                  ["center_id", "job", "enabled", "schedule", "last_started_at", "last_finished_at", "last_status",
                   "last_processed", "last_failed", "last_message", "last_success_at"], now=now)


def fetch_deleted_pending(engine, ids: list[int]) -> pd.DataFrame:
    return _frame(engine, "operations_deleted_pending", ids, ["center_id", "kind", "documents", "oldest_deleted_at"])


def fetch_freshness(engine, ids: list[int]) -> pd.DataFrame:
    return _frame(engine, "operations_freshness", ids, ["center_id", "newest_sync_date", "last_import_at"])


def _with_all_jobs(centers: pd.DataFrame, jobs: pd.DataFrame) -> pd.DataFrame:
    """One row per center and job (post-sale, refund, maintenance); jobs without a sync_job row: configured=False."""
    grid = pd.DataFrame([(int(c), j) for c in centers.index for j in JOBS], columns=["center_id", "job"])
    jobs = jobs.assign(center_id=jobs["center_id"].astype("int64"), configured=True) if len(jobs) else \
        jobs.assign(configured=pd.Series(dtype=bool))
    merged = grid.merge(jobs, on=["center_id", "job"], how="left")
    merged["configured"] = merged["configured"].eq(True)
    return merged


# --- the page's data -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderQuery:
    """Which order documents to list (URL parameters kind, status, deleted); None on the page = list nothing."""

    kinds: tuple[str, ...] = STOCK_ORDER_KINDS
    status: str = "all"
    only_deleted: bool = False
    center: str | None = None  # a center code; None = every center of the filters


@dataclass
class Alert:
    level: str          # "error" | "warning"
    center_code: str
    center_name: str
    text: str
    hint: str = ""
    link: links.Link | None = None


@dataclass
class OperationsView:
    filters: ReportFilters
    now: datetime
    jobs: pd.DataFrame                     # JOB_COLUMNS
    job_marks: list[str | None]
    orders: pd.DataFrame                   # ORDER_COLUMNS, one row per center
    order_marks: list[str | None]
    order_centers: list[str]               # center code per orders row (row positions -> centers)
    freshness: pd.DataFrame                # FRESHNESS_COLUMNS
    freshness_marks: list[str | None]
    alerts: list[Alert]
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    problem_links: list[links.Link | None] = field(default_factory=list)   # per problems row: its documents
    documents: pd.DataFrame | None = None  # DOCUMENT_COLUMNS when an OrderQuery was given
    document_marks: list[str | None] = field(default_factory=list)
    documents_truncated: bool = False

    def order_link(self, row: int, column: str) -> links.Link | None:
        """The documents behind a clicked count of the orders table (same page, filters in the URL)."""
        if not 0 <= row < len(self.order_centers):
            return None
        kind, status, deleted = None, None, False
        for k in STOCK_ORDER_KINDS:
            for s in ORDER_STATUSES:
                if column == f"{ORDER_NAMES[k][1].capitalize()} {s}":
                    kind, status = k, s
        if column in ("Deleted orders pending (all dates)", "Flag", "Maintenance job"):
            status, deleted = "pending", True
        elif kind is None:
            status = None
        return orders_link(self.order_centers[row], self.filters, kind=kind, status=status, deleted=deleted)


DOCUMENT_PARAMS = (Param.ORDER_CENTER, Param.KIND, Param.STATUS, Param.DELETED)


def orders_link(center_code: str | None, f: ReportFilters, *, kind: str | None = None, status: str | None = None,
                deleted: bool = False) -> links.Link:
    """This page with the document list of one center. The center goes in `order_center`, not the filter bar's
    `center`: a bound widget's parameter cannot be set by a drill, and the filters stay as the user left them."""
    return links.to("operations", **{Param.DATE_FROM: f.date_from, Param.DATE_TO: f.date_to,
                                     Param.ORDER_CENTER: center_code, Param.KIND: kind, Param.STATUS: status,
                                     Param.DELETED: "1" if deleted else None})


def parse_order_query(params: dict) -> tuple[OrderQuery | None, list[str]]:
    """The documents list from URL parameters `kind`, `status`, `deleted`; None when none is given.
    Unknown values are ignored and reported, never raised."""
    def one(v):
        if isinstance(v, (list, tuple)):
            return str(v[-1]) if v else None
        return None if v is None else str(v)

    center_code, kind = one(params.get(Param.ORDER_CENTER)), one(params.get(Param.KIND))
    status, deleted = one(params.get(Param.STATUS)), one(params.get(Param.DELETED))
    if center_code is None and kind is None and status is None and deleted is None:
        return None, []
    problems = []
    kinds = STOCK_ORDER_KINDS
    if kind and kind != "all":
        if kind in STOCK_ORDER_KINDS:
            kinds = (kind,)
        else:
            problems.append(f"unknown kind {kind[:30]!r}; showing purchase and transfer orders")
    st = status or "all"
    if st not in DOC_STATUS_CHOICES:
        problems.append(f"unknown status {st[:30]!r}; showing all statuses")
        st = "all"
    only_deleted = (deleted or "").lower() in ("1", "true", "yes")
    return OrderQuery(kinds, st, only_deleted, (center_code or "").strip()[:60] or None), problems


def order_documents(engine, centers: pd.DataFrame, f: ReportFilters, q: OrderQuery
                    ) -> tuple[pd.DataFrame, list[str | None], bool]:
    """The purchase / transfer order documents behind a count: the deleted backlog over all dates, else the dates.
    A center outside the viewer's filtered centers gives no rows, exactly like a center without documents."""
    if q.center is not None:
        centers = centers[centers["center_code"] == q.center]
    ids = [int(x) for x in centers.index]
    if not ids:
        return pd.DataFrame(columns=DOCUMENT_COLUMNS), [], False
    if q.status == "issues":
        status_binds = {"any_status": 0, "statuses": ["failed", "pending"]}
    elif q.status in DOCUMENT_STATUSES:
        status_binds = {"any_status": 0, "statuses": [q.status]}
    else:
        status_binds = {"any_status": 1, "statuses": ["all"]}
    df = sql.frame(engine, "operations_order_documents", center_ids=ids, kinds=list(q.kinds), **status_binds,
                   any_date=1 if q.only_deleted else 0, date_from=f.date_from, date_to=f.date_to,
                   only_deleted=1 if q.only_deleted else 0, row_limit=ROW_LIMIT + 1)
    truncated = len(df) > ROW_LIMIT
    df = df.iloc[:ROW_LIMIT]
    if df.empty:
        return pd.DataFrame(columns=DOCUMENT_COLUMNS), [], truncated
    table = pd.DataFrame({
        "Center": centers["center_name"].reindex(df["center_id"].astype("int64")).to_numpy(),
        "Kind": df["kind"].map(documents.KIND_NAMES),
        "Order no": df["document_no"].astype(str),
        "Sync date": documents.as_dates(df["sync_date"]),
        "Amount": documents.as_money(df["amount"]),
        "Status": df["status"].map(documents.status_name),
        "Deleted in point of sale (UTC)": documents.as_datetimes(df["deleted_at"]),
        "Response message": [documents.response_text(*r) for r in zip(df["status"], df["category"], df["message"],
                                                                      df["reference"], df["pending_reason"], strict=True)],
        "Attempts": documents.as_count(df["attempts"]),
        "Last attempt": documents.as_datetimes(df["last_attempt_at"]),
    })
    marks = ["failed" if s == "failed" else ("warning" if r == "deleted_order_awaiting_maintenance" else None)
             for s, r in zip(df["status"], df["pending_reason"], strict=True)]
    return table, marks, truncated


def build(engine, center_ids: tuple[int, ...], f: ReportFilters, now: datetime, stale_after_days: int,
          order_query: OrderQuery | None = None) -> OperationsView:
    """The Operations page's data: jobs, orders and freshness of the viewer's centers narrowed by the filters."""
    centers = select_centers(center_directory(engine, center_ids), f).set_index("center_id")
    centers = centers[centers["in_report"]]
    ids = [int(x) for x in centers.index]
    jobs = job_health(_with_all_jobs(centers, fetch_jobs(engine, ids, now)), now)
    deleted = fetch_deleted_pending(engine, ids)
    flags = maintenance_flags(jobs[jobs["configured"]], deleted)
    counts = _frame(engine, "operations_order_counts", ids, ["center_id", "kind", "status", "documents"],
                    date_from=f.date_from, date_to=f.date_to)
    fresh = staleness(fetch_freshness(engine, ids), now.date(), stale_after_days)

    view = OperationsView(f, now, *_jobs_table(centers, jobs), *_orders_table(centers, jobs, counts, deleted, flags),
                          *_freshness_table(centers, fresh, stale_after_days),
                          alerts=_alerts(centers, jobs, deleted, flags, fresh, f, stale_after_days))
    view.problems, view.problem_links = data_problems(engine, centers, f, now)
    if order_query is not None:
        view.documents, view.document_marks, view.documents_truncated = order_documents(engine, centers, f, order_query)
    return view


def data_problems(engine, centers: pd.DataFrame, f: ReportFilters, now: datetime
                  ) -> tuple[pd.DataFrame, list[links.Link | None]]:
    """Data problems of the centers (indexed by center_id): dates of the range without a sync configuration, Day
    Wise days of the range with several summary invoices, job runs dated after `now`. PROBLEM_COLUMNS, and per row
    the link to the documents behind it (None for job runs)."""
    ids = [int(x) for x in centers.index]
    rows: list[tuple] = []   # (center_id, problem, dates, documents, link)
    binds = dict(date_from=f.date_from, date_to=f.date_to)
    for r in _frame(engine, "operations_problem_no_config", ids, ["center_id"], **binds).itertuples(index=False):
        first, last = _date(r.first_date), _date(r.last_date)
        code = str(centers.loc[int(r.center_id), "center_code"])
        rows.append((int(r.center_id), "no_config", f"{first:%Y-%m-%d} – {last:%Y-%m-%d} ({plural(int(r.days), 'day')})",
                     int(r.documents), links.center_documents(code, first, last)))
    for r in _frame(engine, "operations_problem_summaries", ids, ["center_id"], **binds).itertuples(index=False):
        day = _date(r.sync_date)
        code = str(centers.loc[int(r.center_id), "center_code"])
        rows.append((int(r.center_id), "several_summaries",
                     f"{day:%Y-%m-%d}: {int(r.summaries)} summary invoices ({r.first_no} … {r.last_no})",
                     int(r.summaries), links.center_documents(code, day, day)))
    for r in _frame(engine, "operations_problem_future_runs", ids, ["center_id"], now=now).itertuples(index=False):
        first = _ts(r.first_started_at)
        rows.append((int(r.center_id), "future_run",
                     f"{JOB_NAMES.get(r.job, r.job)} job: {plural(int(r.runs), 'run')} "
                     f"from {first:%Y-%m-%d %H:%M} UTC", int(r.runs), None))
    zones, names = _names(centers, [r[0] for r in rows])
    table = pd.DataFrame({"Zone": zones, "Center": names, "Problem": [PROBLEM_NAMES[r[1]] for r in rows],
                          "Dates": [r[2] for r in rows], "How many": pd.Series([r[3] for r in rows], dtype="int64"),
                          "What it means": [PROBLEM_MEANINGS[r[1]] for r in rows]}, columns=PROBLEM_COLUMNS)
    order = table.sort_values(["Zone", "Center", "Problem"], kind="stable").index
    return table.loc[order].reset_index(drop=True), [rows[i][4] for i in order]


def _names(centers: pd.DataFrame, ids) -> tuple[list[str], list[str]]:
    ids = [int(x) for x in ids]
    return centers["zone_name"].reindex(ids).tolist(), centers["center_name"].reindex(ids).tolist()


def _jobs_table(centers: pd.DataFrame, jobs: pd.DataFrame) -> tuple[pd.DataFrame, list[str | None]]:
    zones, names = _names(centers, jobs["center_id"])
    enabled = [("Yes" if _enabled(e) else "No") if c else "—" for c, e in zip(jobs["configured"], jobs["enabled"],
                                                                            strict=True)]
    table = pd.DataFrame({
        "Zone": zones,
        "Center": names,
        "Job": jobs["job"].map(JOB_NAMES),
        "Health": jobs["health"].map(HEALTH_NAMES),
        "Enabled": enabled,
        "Schedule": [s if documents.is_set(s) and s else "" for s in jobs["schedule"]],
        "Last run started (UTC)": pd.to_datetime(jobs["last_started_at"], errors="coerce"),
        "Last run finished (UTC)": pd.to_datetime(jobs["last_finished_at"], errors="coerce"),
        "Last run": [str(s).capitalize() if documents.is_set(s) and s else "Never" for s in jobs["last_status"]],
        "Processed": documents.as_count(jobs["last_processed"]).to_numpy(),
        "Failed": documents.as_count(jobs["last_failed"]).to_numpy(),
        "Details": jobs["problem"],
    })
    order = table.assign(_j=jobs["job"].map({j: i for i, j in enumerate(JOBS)})).sort_values(
        ["Zone", "Center", "_j"], kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    marks = ["failed" if h in ATTENTION else None for h in jobs["health"].loc[order]]
    return table, marks


def _orders_table(centers, jobs, counts, deleted, flags):
    ids = [int(x) for x in centers.index]
    wide = pd.DataFrame(0, index=ids, columns=ORDER_COLUMNS[2:-3], dtype="int64")
    for r in counts.itertuples(index=False):
        col = f"{ORDER_NAMES[r.kind][1].capitalize()} {r.status}"
        if col in wide.columns and int(r.center_id) in wide.index:
            wide.loc[int(r.center_id), col] += int(r.documents)
    backlog = deleted.groupby(deleted["center_id"].astype("int64"))["documents"].sum() if len(deleted) else pd.Series(
        dtype="int64")
    maint = jobs[jobs["job"] == "maintenance"].set_index("center_id")
    flag_text = flags.set_index("center_id")["message"] if len(flags) else pd.Series(dtype=object)
    zones, names = _names(centers, ids)
    table = pd.DataFrame({"Zone": zones, "Center": names, **{c: wide[c].to_numpy() for c in wide.columns}})
    table["Deleted orders pending (all dates)"] = [int(backlog.get(c, 0)) for c in ids]
    table["Maintenance job"] = [HEALTH_NAMES[maint.loc[c, "health"]] if c in maint.index else HEALTH_NAMES["not_configured"]
                                for c in ids]
    table["Flag"] = [flag_text.get(c, "") or (maint.loc[c, "problem"] if c in maint.index and table_backlog else "")
                     for c, table_backlog in zip(ids, table["Deleted orders pending (all dates)"], strict=True)]
    codes = centers["center_code"].reindex(ids).tolist()
    order = table.sort_values(["Zone", "Center"], kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    codes = [codes[i] for i in order]
    marks = ["failed" if c in set(flag_text.index) else ("warning" if fl else None)
             for c, fl in zip([ids[i] for i in order], table["Flag"], strict=True)]
    return table, marks, codes


def _freshness_table(centers, fresh, stale_after_days):
    ids = [int(x) for x in fresh["center_id"]]
    zones, names = _names(centers, ids)
    table = pd.DataFrame({
        "Zone": zones,
        "Center": names,
        "Newest sync date": fresh["newest_sync_date"].to_numpy(),
        "Days behind": pd.array([None if d is None else int(d) for d in fresh["days_behind"]], dtype="Int64"),
        "Last import (UTC)": pd.to_datetime(fresh["last_import_at"], errors="coerce").to_numpy(),
        "Freshness": [("No sync data yet" if d is None else f"Stale: newest data is {plural(d, 'day')} old "
                       f"(expected within {plural(stale_after_days, 'day')})") if s else "Fresh"
                      for s, d in zip(fresh["stale"], fresh["days_behind"], strict=True)],
    })
    order = table.sort_values(["Zone", "Center"], kind="stable").index
    marks = ["warning" if s else None for s in fresh["stale"].loc[order]]
    return table.loc[order].reset_index(drop=True), marks


def _alerts(centers, jobs, deleted, flags, fresh, f, stale_after_days) -> list[Alert]:
    out: list[Alert] = []

    def info(cid):
        return str(centers.loc[cid, "center_code"]), str(centers.loc[cid, "center_name"])

    for r in flags.itertuples(index=False):
        code, name = info(int(r.center_id))
        out.append(Alert("error", code, name, r.message, ENABLE_HINT,
                         orders_link(code, f, status="pending", deleted=True)))
    backlog = deleted.groupby(deleted["center_id"].astype("int64"))["documents"].sum() if len(deleted) else {}
    troubled = jobs[jobs["health"].isin(ATTENTION)]
    for cid, rows in troubled.groupby("center_id", sort=False):  # one alert per center, its jobs' problems joined
        code, name = info(int(cid))
        text = "; ".join(p.rstrip(". ") for p in rows["problem"])
        waiting = int(backlog.get(int(cid), 0)) if (rows["job"] == "maintenance").any() else 0
        if waiting:
            text += (f"; {waiting:,} deleted order{'s wait' if waiting != 1 else ' waits'} for the maintenance job")
        out.append(Alert("error" if (rows["health"] == "failed").any() else "warning", code, name, text,
                         link=orders_link(code, f, status="pending", deleted=True) if waiting else None))
    out[len(flags):] = sorted(out[len(flags):], key=lambda a: a.level != "error")
    for r in fresh[fresh["stale"]].itertuples(index=False):
        code, name = info(int(r.center_id))
        text = ("no sync data yet" if r.days_behind is None else
                f"newest sync date {r.newest_sync_date:%d %b %Y} is {plural(r.days_behind, 'day')} old "
                f"(expected within {plural(stale_after_days, 'day')})")
        out.append(Alert("warning", code, name, f"Data is stale: {text}"))
    return out


def stale_centers(engine, center_ids: tuple[int, ...], today: date, stale_after_days: int) -> pd.DataFrame:
    """The viewer's centers with a sync job whose data is stale (home page banner): center_code, center_name,
    newest_sync_date, days_behind and age ('5 days old' / 'no data yet'); oldest data first."""
    directory = center_directory(engine, center_ids)
    directory = directory[directory["has_sync_job"]].set_index("center_id")
    fresh = staleness(fetch_freshness(engine, [int(x) for x in directory.index]), today, stale_after_days)
    fresh = fresh[fresh["stale"]]
    out = pd.DataFrame({
        "center_code": directory["center_code"].reindex(fresh["center_id"].astype("int64")).to_numpy(),
        "center_name": directory["center_name"].reindex(fresh["center_id"].astype("int64")).to_numpy(),
        "newest_sync_date": fresh["newest_sync_date"].to_numpy(),
        "days_behind": fresh["days_behind"].to_numpy(),
        "age": ["no data yet" if d is None else f"{d} day{'s' if d != 1 else ''} old" for d in fresh["days_behind"]],
    })
    key = [-(10**9) if d is None else -d for d in out["days_behind"]]
    return out.assign(_k=key).sort_values(["_k", "center_name"]).drop(columns="_k").reset_index(drop=True)
