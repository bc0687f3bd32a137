"""Trends: failed vs processed over time, where (zone/center), why (root cause), deleted references,
pending age and failure-rate spikes. Counts come aggregated from the rollups; pandas only arranges them.

Failure rate = failed / (processed + failed): pending documents have no outcome yet and are shown apart.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from syncstatus import links, messages, sql
from syncstatus.links import Param
from syncstatus.reports.filters import ReportFilters, center_directory, month_split, select_centers
from syncstatus.reports.sync_status import fetch_counts

GRAINS = {"day": "Day", "week": "Week", "month": "Month"}
BREAKDOWNS = {"zone": "Zone", "center": "Center"}
LINES = {"invoices": "Invoices", "misc_journals": "Misc. journals"}
STATUSES = ("processed", "pending", "failed")
DELETED_CATEGORY = "reference_inactive_or_deleted"
# Age = today - sync date, in days: (label, lowest age, highest age); None = no bound.
AGE_BUCKETS = (("0-1 day", None, 1), ("1-3 days", 2, 3), ("3-7 days", 4, 7), ("over 7 days", 8, None))
TOP_CAUSES = 3
_DRILL_PAGES = {"invoices": "sale_orders", "misc_journals": "misc_journal_entries"}


@dataclass(frozen=True)
class SpikeRule:
    """A day is a spike when its failure rate > baseline + max(k_std * std, min_rise) over the trailing window,
    with at least min_documents settled documents that day and min_history_days days of history."""

    window_days: int = 28
    k_std: float = 3.0
    min_rise: float = 0.10
    min_documents: int = 20
    min_history_days: int = 7


@dataclass
class Trends:
    filters: ReportFilters
    grain: str
    by: str
    directory: pd.DataFrame       # the selected centers (center_id, center_code, center_name, zone_code, ...)
    volume: pd.DataFrame          # one row per period and line: counts and failure rate
    causes: pd.DataFrame          # failed documents per period and category
    top_causes: pd.DataFrame      # the biggest causes over the range, with fix hints
    breakdown: pd.DataFrame       # per zone or center: counts and failure rate, worst first
    pending_age: pd.DataFrame     # per center: pending documents per age bucket and the oldest pending date
    deleted_refs: pd.DataFrame    # deleted/inactive accounts and items, with the documents they block
    spikes: pd.DataFrame          # spike days per center
    rule: SpikeRule = field(default_factory=SpikeRule)
    today: date = field(default_factory=date.today)

    @property
    def empty(self) -> bool:
        return self.volume.empty or int(self.volume["total"].sum()) == 0


# --- periods ---------------------------------------------------------------------------------------------

def period_start(d: date, grain: str) -> date:
    """First day of d's bucket: the day itself, the Monday of its week, or the first of its month."""
    if grain == "day":
        return d
    if grain == "week":
        return d - timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    raise ValueError(f"unknown grain {grain!r}")


def period_end(start: date, grain: str) -> date:
    """Last day of the bucket that starts on `start`."""
    if grain == "day":
        return start
    if grain == "week":
        return start + timedelta(days=6)
    if grain == "month":
        return (start.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    raise ValueError(f"unknown grain {grain!r}")


def _as_date(v) -> date:
    if isinstance(v, date):
        return v if type(v) is date else date(v.year, v.month, v.day)
    return date.fromisoformat(str(v)[:10])


def _dates(s: pd.Series) -> pd.Series:
    return s.map(_as_date) if len(s) else s.astype(object)


# --- series: volume and causes over time -----------------------------------------------------------------

SERIES_COLUMNS = ["day", "report_line", "status", "category", "documents"]
VOLUME_COLUMNS = ["period", "period_from", "period_to", "report_line", "line", "processed", "pending", "failed",
                  "total", "failure_rate"]
CAUSE_COLUMNS = ["period", "period_from", "period_to", "category", "cause", "failed"]


def series_binds(f: ReportFilters, grain: str) -> dict[str, date]:
    """Binds of trends_series.sql: whole months from the monthly rollup only when the grain is month."""
    if grain == "month":
        return month_split(f.date_from, f.date_to)
    after = f.date_to + timedelta(days=1)
    return dict(date_from=f.date_from, date_to=f.date_to, month_from=f.date_from, month_to=f.date_from,
                head_end=after, tail_start=after)


def fetch_series(engine, center_ids: list[int], f: ReportFilters, grain: str) -> pd.DataFrame:
    if not center_ids:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    df = sql.frame(engine, "trends_series", center_ids=center_ids, **series_binds(f, grain))
    df["day"] = _dates(df["day"])
    df["documents"] = df["documents"].astype("int64")
    return df


def _periods(f: ReportFilters, grain: str) -> list[date]:
    out, d = [], period_start(f.date_from, grain)
    while d <= f.date_to:
        out.append(d)
        d = period_end(d, grain) + timedelta(days=1)
    return out


def _with_period(df: pd.DataFrame, f: ReportFilters, grain: str) -> pd.DataFrame:
    df = df.copy()
    df["period"] = [period_start(d, grain) for d in df["day"]] if len(df) else pd.Series(dtype=object)
    return df


def _clamp(df: pd.DataFrame, f: ReportFilters, grain: str) -> pd.DataFrame:
    """The dates a period covers inside the selected range (a week or month may stick out at either end)."""
    df["period_from"] = [max(p, f.date_from) for p in df["period"]]
    df["period_to"] = [min(period_end(p, grain), f.date_to) for p in df["period"]]
    return df


def volume_by_period(series: pd.DataFrame, f: ReportFilters, grain: str) -> pd.DataFrame:
    """Processed, pending and failed per period and line (every period of the range, zeros included)."""
    s = _with_period(series, f, grain)
    grid = pd.MultiIndex.from_product([_periods(f, grain), list(LINES)], names=["period", "report_line"])
    wide = (s.pivot_table(index=["period", "report_line"], columns="status", values="documents", aggfunc="sum")
            if len(s) else pd.DataFrame(index=grid))
    wide = wide.reindex(index=grid, columns=list(STATUSES)).fillna(0).astype("int64").reset_index()
    wide.columns.name = None
    wide["line"] = wide["report_line"].map(LINES)
    wide["total"] = wide["processed"] + wide["pending"] + wide["failed"]
    settled = wide["processed"] + wide["failed"]
    wide["failure_rate"] = (wide["failed"] / settled.where(settled > 0)).astype("float64")
    return _clamp(wide, f, grain)[VOLUME_COLUMNS]


def causes_by_period(series: pd.DataFrame, f: ReportFilters, grain: str) -> pd.DataFrame:
    """Failed documents (invoices and misc. journals together) per period and root cause."""
    s = _with_period(series[series["status"] == "failed"], f, grain)
    if s.empty:
        return pd.DataFrame(columns=CAUSE_COLUMNS)
    s["category"] = s["category"].replace("", "unknown")
    g = s.groupby(["period", "category"], as_index=False)["documents"].sum().rename(columns={"documents": "failed"})
    g["failed"] = g["failed"].astype("int64")
    g["cause"] = g["category"].map(lambda c: messages.CATEGORY_LABELS.get(c, c))
    return _clamp(g, f, grain)[CAUSE_COLUMNS].sort_values(["period", "category"], ignore_index=True)


def top_causes(causes: pd.DataFrame, n: int = TOP_CAUSES) -> pd.DataFrame:
    """The n biggest root causes over the whole range, with their share of failures and what to do."""
    cols = ["category", "Cause", "Failed documents", "Share", "What to do"]
    if causes.empty:
        return pd.DataFrame(columns=cols)
    g = causes.groupby("category")["failed"].sum().sort_values(ascending=False, kind="stable")
    total = int(g.sum())
    g = g.head(n)
    return pd.DataFrame({
        "category": list(g.index),
        "Cause": [messages.CATEGORY_LABELS.get(c, c) for c in g.index],
        "Failed documents": g.astype("int64").to_numpy(),
        "Share": (g / total).to_numpy() if total else 0.0,
        "What to do": [messages.FIX_HINTS.get(c, "") for c in g.index],
    })


# --- breakdown by zone or center ------------------------------------------------------------------------

BREAKDOWN_COLUMNS = ["key", "name", "zone_name", "centers", "processed", "pending", "failed", "total", "failure_rate"]


def per_center(counts: pd.DataFrame) -> pd.DataFrame:
    """center_id → processed, pending, failed (invoices and misc. journals together)."""
    c = counts[counts["status"].isin(STATUSES) & counts["report_line"].isin(list(LINES))]
    wide = c.pivot_table(index="center_id", columns="status", values="documents", aggfunc="sum") if len(c) else None
    if wide is None:
        return pd.DataFrame(columns=list(STATUSES), index=pd.Index([], name="center_id"), dtype="int64")
    return wide.reindex(columns=list(STATUSES)).fillna(0).astype("int64")


def breakdown(directory: pd.DataFrame, by_center: pd.DataFrame, by: str) -> pd.DataFrame:
    """Failure rate and volume per zone or center, worst rate first (ties: bigger volume first)."""
    rows = directory.set_index("center_id").join(by_center, how="left")
    for s in STATUSES:
        rows[s] = rows[s].fillna(0).astype("int64") if s in rows else 0
    if by == "zone":
        g = rows.groupby(["zone_code", "zone_name"], as_index=False).agg(
            centers=("center_code", "nunique"), processed=("processed", "sum"), pending=("pending", "sum"),
            failed=("failed", "sum"))
        g = g.rename(columns={"zone_code": "key"})
        g["name"] = g["zone_name"]
    elif by == "center":
        g = rows.reset_index().rename(columns={"center_code": "key", "center_name": "name"})
        g["centers"] = 1
    else:
        raise ValueError(f"unknown breakdown {by!r}")
    g["total"] = g["processed"] + g["pending"] + g["failed"]
    g = g[g["total"] > 0].copy()
    settled = g["processed"] + g["failed"]
    g["failure_rate"] = (g["failed"] / settled.where(settled > 0)).fillna(0.0).astype("float64")
    g = g.sort_values(["failure_rate", "total", "name"], ascending=[False, False, True], kind="stable")
    out = g[BREAKDOWN_COLUMNS].reset_index(drop=True)
    for c in ("centers", "processed", "pending", "failed", "total"):
        out[c] = out[c].astype("int64")
    return out


# --- pending age -----------------------------------------------------------------------------------------

def age_bounds(today: date) -> dict[str, date]:
    """Binds of trends_pending_age.sql: the first sync date of the 0-1, 1-3 and 3-7 day buckets."""
    return dict(day1=today - timedelta(days=1), day3=today - timedelta(days=3), day7=today - timedelta(days=7))


def age_bucket(sync_date: date, today: date) -> int:
    """Index into AGE_BUCKETS of a pending document's age (future dates count as 0-1 day)."""
    age = (today - sync_date).days
    return 0 if age <= 1 else 1 if age <= 3 else 2 if age <= 7 else 3


def bucket_dates(bucket: int, today: date, f: ReportFilters) -> tuple[date, date]:
    """The sync dates of an age bucket, inside the selected range."""
    _, lo, hi = AGE_BUCKETS[bucket]
    newest = f.date_to if lo is None else min(f.date_to, today - timedelta(days=lo))
    oldest = f.date_from if hi is None else max(f.date_from, today - timedelta(days=hi))
    return oldest, newest


def pending_age(rows: pd.DataFrame, directory: pd.DataFrame) -> pd.DataFrame:
    """One row per center with pending documents: a column per age bucket, total and oldest pending date."""
    labels = [b[0] for b in AGE_BUCKETS]
    cols = ["center_id", "center_code", "center_name", *labels, "pending", "oldest_sync_date"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    r = rows.copy()
    r["documents"] = r["documents"].astype("int64")
    r["age_bucket"] = r["age_bucket"].astype(int)
    r["oldest_sync_date"] = _dates(r["oldest_sync_date"])
    wide = r.pivot_table(index="center_id", columns="age_bucket", values="documents", aggfunc="sum")
    wide = wide.reindex(columns=range(len(AGE_BUCKETS))).fillna(0).astype("int64")
    wide.columns = labels
    wide["pending"] = wide[labels].sum(axis=1)
    wide["oldest_sync_date"] = r.groupby("center_id")["oldest_sync_date"].min()
    d = directory.set_index("center_id")[["center_code", "center_name"]]
    out = d.join(wide, how="inner").reset_index()
    out = out[out["pending"] > 0]
    return out.sort_values(["oldest_sync_date", "pending"], ascending=[True, False], kind="stable")[cols] \
        .reset_index(drop=True)


# --- deleted accounts and items -------------------------------------------------------------------------

DELETED_COLUMNS = ["center_id", "center_code", "center_name", "ref_kind", "code", "name", "state", "deleted_at",
                   "failed_documents", "pending_documents", "blocked_documents"]


def deleted_refs(rows: pd.DataFrame, directory: pd.DataFrame) -> pd.DataFrame:
    """Deleted or inactive accounts and items, ranked by the failed + pending documents they block."""
    if rows.empty:
        return pd.DataFrame(columns=DELETED_COLUMNS)
    r = rows.copy()
    for c in ("failed_documents", "pending_documents"):
        r[c] = r[c].astype("int64")
    r["blocked_documents"] = r["failed_documents"] + r["pending_documents"]
    r["deleted_at"] = pd.to_datetime(r["deleted_at"], format="ISO8601").dt.floor("s")
    r["state"] = ["inactive" if pd.isna(d) else "deleted" for d in r["deleted_at"]]
    r = r.merge(directory[["center_id", "center_code", "center_name"]], on="center_id", how="inner")
    r = r.sort_values(["blocked_documents", "failed_documents", "center_name", "code"],
                      ascending=[False, False, True, True], kind="stable")
    return r[DELETED_COLUMNS].reset_index(drop=True)


# --- spikes ------------------------------------------------------------------------------------------------

SPIKE_COLUMNS = ["center_id", "sync_date", "failed", "settled", "rate", "base_mean", "base_std", "base_days",
                 "threshold"]


def daily_baseline(daily: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """Reference implementation of the baseline in trends_spike_candidates.sql over a per-center per-day frame
    (center_id, sync_date, failed, settled): each day's trailing baseline over the window_days calendar days
    before it (mean rate, mean squared rate, days with a rate)."""
    d = daily[daily["settled"] > 0].copy()
    if d.empty:
        return pd.DataFrame(columns=["center_id", "sync_date", "failed", "settled", "rate", "base_mean",
                                     "base_square", "base_days"])
    d["rate"] = d["failed"] / d["settled"]
    d["rate2"] = d["rate"] ** 2
    d["ts"] = pd.to_datetime(d["sync_date"])
    parts = []
    for _, g in d.sort_values(["center_id", "ts"]).groupby("center_id", sort=False):
        g = g.set_index("ts")
        roll = g[["rate", "rate2"]].rolling(f"{window_days}D", closed="left")
        g["base_mean"] = roll["rate"].mean()
        g["base_square"] = roll["rate2"].mean()
        g["base_days"] = roll["rate"].count().fillna(0).astype("int64")
        parts.append(g.reset_index(drop=True))
    out = pd.concat(parts, ignore_index=True)
    return out[["center_id", "sync_date", "failed", "settled", "rate", "base_mean", "base_square", "base_days"]]


def flag_spikes(candidates: pd.DataFrame, rule: SpikeRule) -> pd.DataFrame:
    """Keep the days whose rate > baseline mean + max(k_std * std, min_rise), with enough volume and history."""
    if candidates.empty:
        return pd.DataFrame(columns=SPIKE_COLUMNS)
    c = candidates.copy()
    for col in ("rate", "base_mean", "base_square"):
        c[col] = pd.to_numeric(c[col], errors="coerce").astype("float64")
    c["base_days"] = pd.to_numeric(c["base_days"]).fillna(0).astype("int64")
    var = (c["base_square"] - c["base_mean"] ** 2).clip(lower=0.0)
    c["base_std"] = var.map(math.sqrt)
    c["threshold"] = c["base_mean"] + (rule.k_std * c["base_std"]).clip(lower=rule.min_rise)
    keep = ((c["settled"] >= rule.min_documents) & (c["failed"] > 0) & (c["base_days"] >= rule.min_history_days)
            & (c["rate"] > c["threshold"] + 1e-12))
    out = c[keep].copy()
    out["sync_date"] = _dates(out["sync_date"])
    for col in ("failed", "settled"):
        out[col] = out[col].astype("int64")
    return out[SPIKE_COLUMNS].sort_values(["sync_date", "center_id"], ignore_index=True)


def detect_spikes(daily: pd.DataFrame, rule: SpikeRule = SpikeRule(), date_from: date | None = None) -> pd.DataFrame:
    """Spike days of a per-center per-day series (center_id, sync_date, failed, settled); pure pandas."""
    base = daily_baseline(daily, rule.window_days)
    if date_from is not None and len(base):
        base = base[_dates(base["sync_date"]) >= date_from]
    return flag_spikes(base, rule)


def fetch_spikes(engine, center_ids: list[int], f: ReportFilters, rule: SpikeRule) -> pd.DataFrame:
    if not center_ids:
        return pd.DataFrame(columns=["center_id", "sync_date", "failed", "settled", "rate", "base_mean",
                                     "base_square", "base_days"])
    return sql.frame(engine, "trends_spike_candidates", center_ids=center_ids,
                     history_from=f.date_from - timedelta(days=rule.window_days), date_from=f.date_from,
                     date_to=f.date_to, window_days=int(rule.window_days), min_documents=int(rule.min_documents),
                     min_history_days=int(rule.min_history_days), min_rise=float(rule.min_rise),
                     k_std_squared=float(rule.k_std) ** 2)


def name_spikes(spikes: pd.DataFrame, directory: pd.DataFrame) -> pd.DataFrame:
    if spikes.empty:
        return spikes.assign(center_code=pd.Series(dtype=object), center_name=pd.Series(dtype=object))
    return spikes.merge(directory[["center_id", "center_code", "center_name"]], on="center_id", how="inner")


# --- the page's one data function ---------------------------------------------------------------------

def _status_filter(ids: list[int], by_center: pd.DataFrame, status: str) -> list[int]:
    if status == "all":
        return ids
    b = by_center.reindex(ids).fillna(0)
    if status == "failed":
        keep = b["failed"] > 0
    elif status == "pending":
        keep = b["pending"] > 0
    else:
        keep = (b["failed"] + b["pending"]) > 0
    return [int(i) for i in b.index[keep]]


def build(engine, center_ids: tuple[int, ...], f: ReportFilters, grain: str = "day", by: str = "center",
          rule: SpikeRule = SpikeRule(), today: date | None = None) -> Trends:
    """Everything the Trends page shows, for the viewer's centers narrowed by the filters."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    today = today or date.today()
    directory = select_centers(center_directory(engine, center_ids), f)
    directory = directory[directory["has_sync_job"]]
    ids = [int(x) for x in directory["center_id"]]
    counts = fetch_counts(engine, ids, f)
    by_center = per_center(counts)
    ids = _status_filter(ids, by_center, f.status)
    directory = directory[directory["center_id"].isin(ids)].reset_index(drop=True)

    series = fetch_series(engine, ids, f, grain)
    causes = causes_by_period(series, f, grain)
    if ids:
        age_rows = sql.frame(engine, "trends_pending_age", center_ids=ids, date_from=f.date_from,
                             date_to=f.date_to, **age_bounds(today))
        ref_rows = sql.frame(engine, "trends_deleted_refs", center_ids=ids, date_from=f.date_from, date_to=f.date_to)
    else:
        age_rows = ref_rows = pd.DataFrame()
    spikes = name_spikes(flag_spikes(fetch_spikes(engine, ids, f, rule), rule), directory)
    return Trends(
        filters=f, grain=grain, by=by, directory=directory,
        volume=volume_by_period(series, f, grain),
        causes=causes,
        top_causes=top_causes(causes),
        breakdown=breakdown(directory, by_center, by),
        pending_age=pending_age(age_rows, directory),
        deleted_refs=deleted_refs(ref_rows, directory),
        spikes=spikes,
        rule=rule,
        today=today,
    )


# --- downloads ------------------------------------------------------------------------------------------

def volume_table(volume: pd.DataFrame) -> pd.DataFrame:
    """The series as users download it."""
    return pd.DataFrame({
        "Period start": volume["period"], "From": volume["period_from"], "To": volume["period_to"],
        "Documents": volume["line"], "Processed": volume["processed"], "Pending": volume["pending"],
        "Failed": volume["failed"], "Total": volume["total"],
        "Failure rate %": (volume["failure_rate"] * 100).round(2),
    })


def spikes_table(spikes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Date": spikes["sync_date"], "Center": spikes.get("center_name", spikes["center_id"]),
        "Failed": spikes["failed"], "Processed + failed": spikes["settled"],
        "Failure rate %": (spikes["rate"] * 100).round(1),
        "Baseline %": (spikes["base_mean"] * 100).round(1),
        "Threshold %": (spikes["threshold"] * 100).round(1),
        "Days of history": spikes["base_days"],
    })


def deleted_table(refs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Center": refs["center_name"], "Type": refs["ref_kind"].str.capitalize(), "Code": refs["code"],
        "Name": refs["name"], "State": refs["state"], "Deleted at": refs["deleted_at"],
        "Failed documents": refs["failed_documents"], "Pending documents": refs["pending_documents"],
        "Blocked documents": refs["blocked_documents"],
    })


# --- drill-down ---------------------------------------------------------------------------------------------

def drill_key(**values) -> str:
    """What a clicked point carries in custom_data: the documents behind it, as compact JSON."""
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()
                       if v not in (None, "")}, separators=(",", ":"), sort_keys=True)


def point_key(point) -> str | None:
    """The drill key of a selected point (custom_data may come back as a list or a bare value)."""
    try:
        custom = point.get("customdata") if isinstance(point, dict) else getattr(point, "customdata", None)
    except AttributeError:
        return None
    if isinstance(custom, (list, tuple)):
        custom = custom[0] if custom else None
    return custom if isinstance(custom, str) and custom.startswith("{") else None


def drill_link(key: str | None, f: ReportFilters) -> links.Link | None:
    """The documents page behind a drill key, keeping the view's zone/center/platform filters unless the point
    names its own center or zone."""
    if not key:
        return None
    try:
        k = json.loads(key)
        date_from = date.fromisoformat(k.get("from", f.date_from.isoformat()))
        date_to = date.fromisoformat(k.get("to", f.date_to.isoformat()))
    except (ValueError, TypeError, AttributeError):
        return None
    if not isinstance(k, dict):
        return None
    page = _DRILL_PAGES.get(k.get("line", "invoices"), "sale_orders")
    params: dict = {Param.DATE_FROM: date_from, Param.DATE_TO: date_to, Param.STATUS: k.get("status")}
    if k.get("center"):
        params[Param.CENTER] = k["center"]
    elif k.get("zone"):
        params[Param.ZONE] = k["zone"]
    else:
        params[Param.ZONE] = list(f.zones)
        params[Param.CENTER] = list(f.centers)
    params[Param.PLATFORM] = list(f.platforms)
    if k.get("category"):
        params[Param.CATEGORY] = k["category"]
    return links.to(page, **params)


def selected_link(event, f: ReportFilters) -> links.Link | None:
    """The drill link of the first clicked point of a plotly_chart selection event, if any."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError, AttributeError):
        points = getattr(getattr(event, "selection", None), "points", None)
    for p in points or []:
        link = drill_link(point_key(p), f)
        if link is not None:
            return link
    return None
