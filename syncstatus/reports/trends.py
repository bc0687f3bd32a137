"""Trends: failed vs processed over time, where (zone/center), why (root cause), deleted references,
pending age and failure-rate spikes. Counts come aggregated from the rollups; pandas only arranges them.

Failure rate = failed / (processed + failed): pending documents have no outcome yet and are shown apart.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from syncstatus import links, messages, sql
from syncstatus.links import Param
from syncstatus.reports.filters import ReportFilters, center_directory, select_centers
from syncstatus.reports.sync_status import fetch_range
from syncstatus.schema import DAY_COUNT_COLUMNS, FAILURE_CATEGORIES, SPIKE_BASELINE_DAYS

GRAINS = {"day": "Day", "week": "Week", "month": "Month"}
BREAKDOWNS = {"zone": "Zone", "center": "Center"}
LINES = {"invoices": "Invoices", "misc_journals": "Misc. journals"}
STATUSES = ("processed", "pending", "failed")
_PREFIX = {"invoices": "inv", "misc_journals": "mj"}  # a line's columns in sync_center_day: inv_failed, ...
_CAUSE_COLUMNS = {f"failed_{c}": c for c in FAILURE_CATEGORIES}
DELETED_CATEGORY = "reference_inactive_or_deleted"
# Age = today - sync date, in days: (label, lowest age, highest age); None = no bound.
AGE_BUCKETS = (("0-1 day", None, 1), ("1-3 days", 2, 3), ("3-7 days", 4, 7), ("over 7 days", 8, None))
TOP_CAUSES = 3
_DRILL_PAGES = {"invoices": "sale_orders", "misc_journals": "misc_journal_entries"}

# What each figure of the page counts (issue 18.6): the headline figures, the series, the causes and the top causes
# count the Sync Status report's invoices and misc. journals (headline() equals the report's totals); the deleted
# references count documents of every kind that reference an account or item, which is another figure.
FIGURES = {
    "rate": ("Failure rate", "Failed / (processed + failed) invoices and misc. journals, as the Sync Status report "
                             "counts them"),
    "failed": ("Failed invoices & misc. journals", "The Sync Status report's Failed Invoices + Failed Misc. Journals "
                                                   "for these dates and centers"),
    "pending": ("Pending invoices & misc. journals", "The Sync Status report's Pending Invoices + Pending Misc. "
                                                     "Journals for these dates and centers"),
    "spikes": ("Failure spikes", "Days where a center's failure rate rose far above its baseline"),
}
TOP_CAUSE_UNIT = "failed invoices and misc. journals"
DELETED_REFS_CAPTION = (
    "Accounts and items deleted or made inactive in the accounting platform, ranked by the documents of these dates "
    "that reference them and are failed or pending: documents of every kind (invoices, summary invoices, payments, "
    "misc. journals), whatever the platform answered, so these are not the Sync Status counts above. A document "
    "that references two of them counts under each. The cause \"account/item inactive or deleted\" above counts the "
    "invoices and misc. journals the platform rejected for that reason.")


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

# The series: per day (or whole week or month, dated by its start) sync_center_day's counts, COUNT_COLUMNS, as
# fetch_series returns it. The functions below also take it long: one row per day, line, status and category.
SERIES_COLUMNS = ["day", "report_line", "status", "category", "documents"]
VOLUME_COLUMNS = ["period", "period_from", "period_to", "report_line", "line", "processed", "pending", "failed",
                  "total", "failure_rate"]
CAUSE_COLUMNS = ["period", "period_from", "period_to", "category", "cause", "failed"]
COUNT_COLUMNS = list(DAY_COUNT_COLUMNS)


def series_binds(f: ReportFilters, grain: str) -> dict:
    """Binds of trends_series.sql: the whole weeks or months [period_from, period_to) inside the range come from
    sync_center_period, the days before (up to head_end) and after (from tail_start) from sync_center_day. The
    day grain reads every day."""
    after = f.date_to + timedelta(days=1)
    binds = dict(grain=grain, date_from=f.date_from, date_to=f.date_to, period_from=f.date_from,
                 period_to=f.date_from, head_end=after, tail_start=after)
    if grain == "day":
        return binds
    first = period_start(f.date_from, grain)
    first = first if first == f.date_from else period_end(first, grain) + timedelta(days=1)
    end_full = period_start(after, grain)  # the period holding date_to is whole when date_to ends it
    if first < end_full:
        binds.update(period_from=first, period_to=end_full, head_end=first, tail_start=end_full)
    return binds


def fetch_series(bind, center_ids: list[int], f: ReportFilters, grain: str) -> pd.DataFrame:
    """Per day, or whole week or month dated by its start: day + COUNT_COLUMNS, summed over the centers."""
    if not center_ids:
        return pd.DataFrame(columns=["day", *COUNT_COLUMNS])
    df = sql.frame(bind, "trends_series", center_ids=center_ids, **series_binds(f, grain))
    df["day"] = _dates(df["day"])
    return df


def day_counts(series: pd.DataFrame) -> pd.DataFrame:
    """day + COUNT_COLUMNS from a series in either form: as fetch_series returns it, or long (SERIES_COLUMNS:
    one row per day, line, status and failure category; a failure without a known category counts as unknown)."""
    if "documents" not in series.columns:
        return series
    s = series[series["report_line"].isin(list(LINES)) & series["status"].isin(STATUSES)]
    days = pd.Index(sorted(set(s["day"])), name="day")
    out = pd.DataFrame(index=days)
    for line, prefix in _PREFIX.items():
        for status in STATUSES:
            cell = s[(s["report_line"] == line) & (s["status"] == status)]
            out[f"{prefix}_{status}"] = cell.groupby("day")["documents"].sum()
    failed = s[s["status"] == "failed"]
    category = failed["category"].where(failed["category"].isin(FAILURE_CATEGORIES), "unknown")
    by_cause = failed.groupby(["day", category])["documents"].sum().unstack()
    for col, c in _CAUSE_COLUMNS.items():
        out[col] = by_cause[c] if c in by_cause.columns else 0
    return out.fillna(0).astype("int64").reset_index()


def _periods(f: ReportFilters, grain: str) -> list[date]:
    out, d = [], period_start(f.date_from, grain)
    while d <= f.date_to:
        out.append(d)
        d = period_end(d, grain) + timedelta(days=1)
    return out


def _by_period(series: pd.DataFrame, f: ReportFilters, grain: str) -> tuple[list[date], np.ndarray]:
    """The periods of the range and the series summed per period: one row of COUNT_COLUMNS for each (zeros
    included). Plain numpy: a year of days is a few hundred rows, where pandas' per-call overhead dominates."""
    s = day_counts(series)
    periods = _periods(f, grain)
    values = np.zeros((len(periods), len(COUNT_COLUMNS)), dtype="int64")
    if len(s):
        at = {p: i for i, p in enumerate(periods)}
        rows = np.array([at.get(period_start(d, grain), -1) for d in s["day"]], dtype="int64")
        inside = rows >= 0
        np.add.at(values, rows[inside], s[COUNT_COLUMNS].to_numpy(dtype="int64")[inside])
    return periods, values


def _clamp(periods: list[date], f: ReportFilters, grain: str) -> dict[str, list[date]]:
    """The dates each period covers inside the selected range (a week or month may stick out at either end)."""
    return {"period_from": [max(p, f.date_from) for p in periods],
            "period_to": [min(period_end(p, grain), f.date_to) for p in periods]}


_LINE_CELLS = [[COUNT_COLUMNS.index(f"{prefix}_{status}") for status in STATUSES] for prefix in _PREFIX.values()]


def volume_by_period(series: pd.DataFrame, f: ReportFilters, grain: str) -> pd.DataFrame:
    """Processed, pending and failed per period and line (every period of the range, zeros included)."""
    periods, values = _by_period(series, f, grain)
    # period by period, each period's lines in LINES order: rows (p0, invoices), (p0, misc_journals), (p1, ...
    cells = np.stack([values[:, cols] for cols in _LINE_CELLS], axis=1).reshape(-1, len(STATUSES))
    rows = [p for p in periods for _ in _PREFIX]
    wide = pd.DataFrame({"period": rows, **_clamp(rows, f, grain), "report_line": list(_PREFIX) * len(periods),
                         "line": list(LINES.values()) * len(periods),
                         **{s: cells[:, i] for i, s in enumerate(STATUSES)}})
    wide["total"] = cells.sum(axis=1)
    settled = wide["processed"] + wide["failed"]
    wide["failure_rate"] = (wide["failed"] / settled.where(settled > 0)).astype("float64")
    return wide[VOLUME_COLUMNS]


_CAUSE_CELLS = [COUNT_COLUMNS.index(col) for col in _CAUSE_COLUMNS]
_CAUSE_ORDER = np.argsort(list(_CAUSE_COLUMNS.values()))  # categories by name


def causes_by_period(series: pd.DataFrame, f: ReportFilters, grain: str) -> pd.DataFrame:
    """Failed documents (invoices and misc. journals together) per period and root cause."""
    periods, values = _by_period(series, f, grain)
    by_cause = values[:, _CAUSE_CELLS][:, _CAUSE_ORDER]
    period_at, cause_at = np.nonzero(by_cause)  # row-major: by period, then category name
    if not len(period_at):
        return pd.DataFrame(columns=CAUSE_COLUMNS)
    rows = [periods[i] for i in period_at]
    names = np.array(list(_CAUSE_COLUMNS.values()), dtype=object)[_CAUSE_ORDER][cause_at]
    return pd.DataFrame({"period": rows, **_clamp(rows, f, grain), "category": names,
                         "cause": [messages.CATEGORY_LABELS.get(c, c) for c in names],
                         "failed": by_cause[period_at, cause_at]})[CAUSE_COLUMNS]


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
    """center_id → processed, pending, failed (invoices and misc. journals together), from fetch_range's rows
    (center_id + sync_center_day's columns) or the long form (center_id, report_line, status, category, documents)."""
    if "documents" in counts.columns:
        c = counts[counts["status"].isin(STATUSES) & counts["report_line"].isin(list(LINES))]
        if c.empty:
            return pd.DataFrame(columns=list(STATUSES), index=pd.Index([], name="center_id"), dtype="int64")
        wide = c.pivot_table(index="center_id", columns="status", values="documents", aggfunc="sum")
        return wide.reindex(columns=list(STATUSES)).fillna(0).astype("int64")
    out = pd.DataFrame({s: counts[f"inv_{s}"].to_numpy() + counts[f"mj_{s}"].to_numpy() for s in STATUSES},
                       index=pd.Index(counts["center_id"].astype("int64"), name="center_id"))
    return out.astype("int64")


def breakdown(directory: pd.DataFrame, by_center: pd.DataFrame, by: str) -> pd.DataFrame:
    """Failure rate and volume per zone or center, worst rate first (ties: bigger volume first)."""
    ids = directory["center_id"].astype("int64")
    counts = by_center.reindex(columns=list(STATUSES)).reindex(ids).fillna(0).to_numpy(dtype="int64")
    if by == "zone":
        g = pd.DataFrame(counts, columns=list(STATUSES)).assign(
            zone_code=directory["zone_code"].to_numpy(), zone_name=directory["zone_name"].to_numpy(),
            center_code=directory["center_code"].to_numpy(),
        ).groupby(["zone_code", "zone_name"], as_index=False).agg(
            centers=("center_code", "nunique"), processed=("processed", "sum"), pending=("pending", "sum"),
            failed=("failed", "sum"))
        key, name, zone, centers = g["zone_code"], g["zone_name"], g["zone_name"], g["centers"]
        counts = g[list(STATUSES)].to_numpy(dtype="int64")
    elif by == "center":
        key, name, zone = directory["center_code"], directory["center_name"], directory["zone_name"]
        centers = np.ones(len(directory), dtype="int64")
    else:
        raise ValueError(f"unknown breakdown {by!r}")
    keep = counts.sum(axis=1) > 0
    counts = counts[keep]
    key, name, zone = (np.asarray(x, dtype=object)[keep] for x in (key, name, zone))
    total, settled = counts.sum(axis=1), counts[:, 0] + counts[:, 2]
    rate = np.divide(counts[:, 2], settled, out=np.zeros(len(settled)), where=settled > 0)
    order = sorted(range(len(name)), key=lambda i: (-rate[i], -total[i], name[i]))
    return pd.DataFrame({"key": key[order], "name": name[order], "zone_name": zone[order],
                         "centers": np.asarray(centers, dtype="int64")[keep][order],
                         **{s: counts[order, i] for i, s in enumerate(STATUSES)}, "total": total[order],
                         "failure_rate": rate[order]}, columns=BREAKDOWN_COLUMNS)


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


def pending_rows(rows: pd.DataFrame, by_center: pd.DataFrame) -> pd.DataFrame:
    """trends_pending_age.sql's rows with the oldest bucket's documents filled in (the query leaves them NULL): the
    range's pending documents per center (by_center, from the running totals) minus its three recent buckets."""
    if rows.empty:
        return rows
    out = rows.assign(documents=rows["documents"].fillna(0).astype("int64"))
    older = out["age_bucket"].astype(int) == 3
    recent = out[~older].groupby("center_id")["documents"].sum()
    center = out.loc[older, "center_id"].astype("int64")
    out.loc[older, "documents"] = (by_center["pending"].reindex(center, fill_value=0).to_numpy()
                                   - recent.reindex(center, fill_value=0).to_numpy())
    return out


def pending_age(rows: pd.DataFrame, directory: pd.DataFrame) -> pd.DataFrame:
    """One row per center with pending documents: a column per age bucket, total and oldest pending date."""
    labels = [b[0] for b in AGE_BUCKETS]
    cols = ["center_id", "center_code", "center_name", *labels, "pending", "oldest_sync_date"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    ids, row_of = np.unique(rows["center_id"].to_numpy(dtype="int64"), return_inverse=True)
    counts = np.zeros((len(ids), len(AGE_BUCKETS)), dtype="int64")
    np.add.at(counts, (row_of, rows["age_bucket"].to_numpy(dtype="int64")), rows["documents"].to_numpy(dtype="int64"))
    oldest = np.full(len(ids), np.datetime64("9999-12-31"), dtype="datetime64[D]")
    np.minimum.at(oldest, row_of, pd.to_datetime(rows["oldest_sync_date"]).to_numpy().astype("datetime64[D]"))
    # the directory's centers with pending documents, in its order, then the oldest first (stable)
    at = pd.Index(ids).get_indexer(directory["center_id"].to_numpy(dtype="int64"))
    shown = (at >= 0) & (counts[at].sum(axis=1) > 0)
    at = at[shown]
    pending = counts[at].sum(axis=1)
    order = np.lexsort((-pending, oldest[at]))
    at = at[order]
    return pd.DataFrame({"center_id": ids[at], "center_code": directory["center_code"].to_numpy()[shown][order],
                         "center_name": directory["center_name"].to_numpy()[shown][order],
                         **{label: counts[at, i] for i, label in enumerate(labels)}, "pending": pending[order],
                         "oldest_sync_date": oldest[at].astype(object)}, columns=cols)


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

    def floats(col: str) -> np.ndarray:  # NUMERIC arrives as Decimal on PostgreSQL; no baseline is NULL
        return pd.to_numeric(candidates[col], errors="coerce").to_numpy(dtype="float64")

    rate, mean, square = floats("rate"), floats("base_mean"), floats("base_square")
    days = pd.to_numeric(candidates["base_days"]).fillna(0).to_numpy(dtype="int64")
    failed = candidates["failed"].to_numpy(dtype="int64")
    settled = candidates["settled"].to_numpy(dtype="int64")
    std = np.sqrt(np.clip(square - mean ** 2, 0.0, None))
    threshold = mean + np.maximum(rule.k_std * std, rule.min_rise)
    with np.errstate(invalid="ignore"):  # NaN baselines compare False
        keep = ((settled >= rule.min_documents) & (failed > 0) & (days >= rule.min_history_days)
                & (rate > threshold + 1e-12))
    out = pd.DataFrame({"center_id": candidates["center_id"].to_numpy()[keep],
                        "sync_date": [_as_date(d) for d in candidates["sync_date"].to_numpy()[keep]],
                        "failed": failed[keep], "settled": settled[keep], "rate": rate[keep], "base_mean": mean[keep],
                        "base_std": std[keep], "base_days": days[keep], "threshold": threshold[keep]})
    return out[SPIKE_COLUMNS].sort_values(["sync_date", "center_id"], ignore_index=True)


def detect_spikes(daily: pd.DataFrame, rule: SpikeRule = SpikeRule(), date_from: date | None = None) -> pd.DataFrame:
    """Spike days of a per-center per-day series (center_id, sync_date, failed, settled); pure pandas."""
    base = daily_baseline(daily, rule.window_days)
    if date_from is not None and len(base):
        base = base[_dates(base["sync_date"]) >= date_from]
    return flag_spikes(base, rule)


def fetch_spikes(bind, center_ids: list[int], f: ReportFilters, rule: SpikeRule) -> pd.DataFrame:
    """Spike candidates in SQL: from the stored baselines for the default window, computed live for any other."""
    if not center_ids:
        return pd.DataFrame(columns=["center_id", "sync_date", "failed", "settled", "rate", "base_mean",
                                     "base_square", "base_days"])
    binds = dict(center_ids=center_ids, date_from=f.date_from, date_to=f.date_to,
                 min_documents=int(rule.min_documents), min_history_days=int(rule.min_history_days),
                 min_rise=float(rule.min_rise), k_std_squared=float(rule.k_std) ** 2)
    if rule.window_days == SPIKE_BASELINE_DAYS:
        return sql.frame(bind, "trends_spike_baseline", **binds)
    return sql.frame(bind, "trends_spike_candidates", history_from=f.date_from - timedelta(days=rule.window_days),
                     window_days=int(rule.window_days), **binds)


def name_spikes(spikes: pd.DataFrame, directory: pd.DataFrame) -> pd.DataFrame:
    """The spikes of the directory's centers, with their code and name."""
    ids = directory["center_id"].tolist()
    codes = dict(zip(ids, directory["center_code"].tolist(), strict=True))
    names = dict(zip(ids, directory["center_name"].tolist(), strict=True))
    s = spikes[spikes["center_id"].isin(ids)]
    return s.assign(center_code=[codes[c] for c in s["center_id"].tolist()],
                    center_name=[names[c] for c in s["center_id"].tolist()])


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


def _side_queries(conn, ids: list[int], f: ReportFilters, rule: SpikeRule, today: date,
                  by_center: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Pending age rows, deleted references and spike candidates of the centers."""
    if ids:
        age_rows = pending_rows(sql.frame(conn, "trends_pending_age", center_ids=ids, date_from=f.date_from,
                                          date_to=f.date_to, **age_bounds(today)), by_center)
        ref_rows = sql.frame(conn, "trends_deleted_refs", center_ids=ids, date_from=f.date_from, date_to=f.date_to)
    else:
        age_rows = ref_rows = pd.DataFrame()
    return age_rows, ref_rows, fetch_spikes(conn, ids, f, rule)


def _second_connection(engine):
    """A second connection for the page's parallel queries on PostgreSQL, or None: on SQLite, or when the pool's
    regular connections are all in use (under load the page runs its queries one after the other rather than
    hold two connections)."""
    if engine.dialect.name != "postgresql":
        return None
    pool = engine.pool
    try:
        if pool.checkedout() >= pool.size():
            return None
    except AttributeError:   # a pool without counters
        return None
    return engine.connect()


def _side_worker(conn, result: dict, *args) -> None:
    try:
        with conn:
            result["rows"] = _side_queries(conn, *args)
    except BaseException as exc:   # handed to the page's thread, which raises it
        result["error"] = exc


def build(engine, center_ids: tuple[int, ...], f: ReportFilters, grain: str = "day", by: str = "center",
          rule: SpikeRule = SpikeRule(), today: date | None = None) -> Trends:
    """Everything the Trends page shows, for the viewer's centers narrowed by the filters."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    today = today or date.today()
    with engine.connect() as conn:  # one connection for the page's first queries
        directory = select_centers(center_directory(conn, center_ids), f)
        directory = directory[directory["in_report"]]
        ids = [int(x) for x in directory["center_id"]]
        by_center = per_center(fetch_range(conn, ids, f))
        ids = _status_filter(ids, by_center, f.status)
        directory = directory[directory["center_id"].isin(ids)].reset_index(drop=True)

        side = _second_connection(engine) if ids else None
        if side is None:
            series = fetch_series(conn, ids, f, grain)
            age_rows, ref_rows, candidates = _side_queries(conn, ids, f, rule, today, by_center)
        else:
            # The series (the largest read) and the other three queries at once, on two connections: two server
            # processes, so both cores work. The second connection was taken here, before waiting on the thread,
            # so the thread never waits for the pool while this one holds a connection.
            result: dict = {}
            worker = threading.Thread(target=_side_worker, args=(side, result, ids, f, rule, today, by_center),
                                      name="syncstatus-trends", daemon=True)
            worker.start()
            try:
                series = fetch_series(conn, ids, f, grain)
            finally:
                worker.join()
            if "error" in result:
                raise result["error"]
            age_rows, ref_rows, candidates = result["rows"]
    causes = causes_by_period(series, f, grain)
    return Trends(
        filters=f, grain=grain, by=by, directory=directory,
        volume=volume_by_period(series, f, grain),
        causes=causes,
        top_causes=top_causes(causes),
        breakdown=breakdown(directory, by_center, by),
        pending_age=pending_age(age_rows, directory),
        deleted_refs=deleted_refs(ref_rows, directory),
        spikes=name_spikes(flag_spikes(candidates, rule), directory),
        rule=rule,
        today=today,
    )


def headline(t: Trends) -> dict[str, int]:
    """The page's headline counts: processed, pending and failed invoices and misc. journals of the range."""
    return {s: int(t.volume[s].sum()) for s in STATUSES}


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
        "Failed documents (all kinds)": refs["failed_documents"],
        "Pending documents (all kinds)": refs["pending_documents"],
        "Blocked documents (all kinds)": refs["blocked_documents"],
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
