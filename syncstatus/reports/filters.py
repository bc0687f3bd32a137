"""Report filters: parsed from query parameters, validated, and applied to the viewer's centers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from syncstatus import sql
from syncstatus.schema import PLATFORMS

STATUS_CHOICES = {
    "all": "All centers",
    "failed": "Only centers with failures",
    "pending": "Only centers with pending documents",
    "issues": "Only centers with failures or pending",
}
DEFAULT_DAYS = 7


def default_range(today: date | None = None, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    today = today or date.today()
    return today - timedelta(days=days - 1), today


@dataclass(frozen=True)
class ReportFilters:
    date_from: date
    date_to: date
    zones: tuple[str, ...] = ()
    centers: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    status: str = "all"
    problems: list[str] = field(default_factory=list, compare=False, hash=False)

    def with_(self, **kw) -> ReportFilters:
        return replace(self, **kw)


def _split(value: str | list[str] | None) -> tuple[str, ...]:
    """Repeated URL parameters (a list) or a comma-separated string."""
    if not value:
        return ()
    values = value if isinstance(value, (list, tuple)) else [value]
    return tuple(sorted({p.strip() for v in values for p in str(v).split(",") if p.strip()}))


def parse_date(value: str | None, name: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        problems.append(f"{name}={str(value)[:40]!r} is not a date (YYYY-MM-DD); using the default")
        return None


def _one(value) -> str | None:
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else None
    return value


def from_params(params: dict[str, str | list[str]], today: date | None = None) -> ReportFilters:
    """Build filters from URL parameters. Bad values fall back to defaults and are listed in `problems`."""
    problems: list[str] = []
    d0, d1 = default_range(today)
    date_from = parse_date(_one(params.get("date_from")), "date_from", problems) or d0
    date_to = parse_date(_one(params.get("date_to")), "date_to", problems) or d1
    if date_from > date_to:
        problems.append("date_from is after date_to; the two were swapped")
        date_from, date_to = date_to, date_from
    platforms = _split(params.get("platform"))
    bad = [p for p in platforms if p not in PLATFORMS]
    if bad:
        problems.append(f"unknown platform {', '.join(b[:20] for b in bad)}; ignored")
        platforms = tuple(p for p in platforms if p in PLATFORMS)
    status = _one(params.get("status")) or "all"
    if status not in STATUS_CHOICES:
        problems.append(f"unknown status {status[:20]!r}; showing all centers")
        status = "all"
    return ReportFilters(date_from, date_to, _split(params.get("zone")), _split(params.get("center")),
                         platforms, status, problems)


def to_params(f: ReportFilters) -> dict[str, str | list[str]]:
    """URL parameters of a view: lists as repeated parameters, defaults left out."""
    return {k: v for k, v in {
        "date_from": f.date_from.isoformat(),
        "date_to": f.date_to.isoformat(),
        "zone": list(f.zones),
        "center": list(f.centers),
        "platform": list(f.platforms),
        "status": "" if f.status == "all" else f.status,
    }.items() if v}


def center_directory(engine, center_ids: tuple[int, ...]) -> pd.DataFrame:
    """The viewer's centers with zone, platform, whether they have a sync job (or configuration), whether they have
    documents on the report's lines, and `in_report`: either of the two (the centers the reports list)."""
    df = sql.frame(engine, "centers_directory", center_ids=list(center_ids))
    df["has_sync_job"] = df["has_sync_job"].astype(int).astype(bool)
    df["has_documents"] = df["has_documents"].astype(int).astype(bool)
    df["in_report"] = df["has_sync_job"] | df["has_documents"]
    return df


def select_centers(directory: pd.DataFrame, f: ReportFilters) -> pd.DataFrame:
    """Apply zone/center/platform filters to the viewer's directory. Unknown codes simply match nothing."""
    d = directory
    if f.zones:
        d = d[d["zone_code"].isin(f.zones)]
    if f.centers:
        d = d[d["center_code"].isin(f.centers)]
    if f.platforms:
        d = d[d["platform"].isin(f.platforms)]
    return d
