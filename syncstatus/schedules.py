"""Email schedules and alerts: when they are due, who gets which centers, and sending each occurrence once.

Rules, in one place:
- **Time**: a schedule fires at a local wall-clock time in its IANA timezone. A local time that does not
  exist (02:30 on a spring-forward day) fires at the same distance after the gap (03:30 local); a time
  that happens twice (01:30 on a fall-back day) fires once, at the first. Monthly on day 29-31 fires on the
  last day of shorter months.
- **Date range**: relative to the occurrence's local date: yesterday, the last N full days ending
  yesterday, month to date (through yesterday), previous calendar month.
- **Once**: each occurrence x recipient is claimed by inserting a row with a unique occurrence_key before
  sending; on PostgreSQL the runner also holds an advisory lock, so one runner sends at a time.
- **Missed occurrences** (the runner was down): only the latest is sent, once; the rest are logged as
  "skipped N missed occurrences". Pausing or editing moves the cursor: nothing from before is sent late.
- **Per recipient**: an address that belongs to an active app user gets that user's centers; any other
  address gets the schedule owner's centers; both intersected with the schedule's filters.
- **Refused** (logged with the reason, never retried): an address of a disabled or locked account (it would
  otherwise get the sender's whole scope), a domain outside MAIL_ALLOWED_DOMAINS, and any send beyond
  MAIL_RATE_LIMIT_PER_HOUR emails per hour by the same user.
- **Retries**: a failed send is retried after 1, 5, 15 and 60 minutes; after 5 attempts it is failed.
- **Alerts**: kind 'alert' sends only while its condition holds, and not again until the condition clears
  or the quiet period passes.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time as _time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pandas as pd
import sqlalchemy as sa

from syncstatus import mail, sql
from syncstatus.config import Settings, load_settings
from syncstatus.db import utcnow
from syncstatus.reports.filters import STATUS_CHOICES, ReportFilters, from_params, to_params
from syncstatus.wording import plural

LOCK_KEY = 7243002
BACKOFF_MINUTES = (1, 5, 15, 60)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
LEASE = timedelta(minutes=30)
MAX_LOOKBACK = timedelta(days=400)
# The runner's heartbeat: an app_setting row holding when it last checked for due schedules (UTC, ISO 8601).
HEARTBEAT_KEY = "schedule_runner_last_run"
# A runner checks every minute: one not heard from for longer is not running (the Email Schedules page says so).
RUNNER_SILENT_AFTER = timedelta(minutes=5)

KINDS = {"report": "Report", "alert": "Alert"}
DATE_RANGES = {
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days (ending yesterday)",
    "month_to_date": "Month to date (through yesterday)",
    "previous_month": "Previous month",
    "last_n_days": "Last N days (ending yesterday)",
}
FREQUENCIES = {"daily": "Daily", "weekly": "On chosen weekdays", "monthly": "Monthly on a day", "hourly": "Hourly"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CONDITIONS = {
    "any_failures": "Any failures",
    "failed_count": "Failed documents above a number",
    "failure_rate": "Failure rate above a percentage",
    "spike": "Failures spike over the trailing baseline",
}
STATUSES = {
    "sending": "Sending",
    "sent": "Sent",
    "retrying": "Retrying",
    "failed": "Failed",
    "skipped-nothing-to-report": "Skipped: nothing to report",
    "skipped-no-access": "Skipped: recipient sees no centers",
    "skipped-already-alerted": "Skipped: already alerted",
    "refused": "Refused",
}


class ScheduleInvalid(ValueError):
    """The schedule cannot be saved; `problems` lists every reason, each fit to show the user."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# --- time arithmetic (pure) -------------------------------------------------------------------------

@dataclass(frozen=True)
class Frequency:
    kind: str = "daily"                  # daily | weekly | monthly | hourly
    at: str = "07:00"                    # local HH:MM (hourly: only the minutes count)
    weekdays: tuple[int, ...] = ()       # 0 = Monday (weekly)
    day: int = 1                         # 1..31 (monthly; beyond the month's end = its last day)

    @property
    def local_time(self) -> time:
        return parse_hhmm(self.at)

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "at": self.at, "weekdays": list(self.weekdays), "day": self.day})

    @classmethod
    def from_json(cls, text: str | None) -> Frequency:
        d = json.loads(text or "{}")
        return cls(d.get("kind", "daily"), d.get("at", "07:00"), tuple(int(x) for x in d.get("weekdays", ())),
                   int(d.get("day", 1)))

    def describe(self) -> str:
        t = self.at
        if self.kind == "hourly":
            return f"Hourly at minute {self.local_time.minute:02d}"
        if self.kind == "weekly":
            return f"{', '.join(WEEKDAYS[d] for d in sorted(self.weekdays))} at {t}"
        if self.kind == "monthly":
            return f"Monthly on day {self.day} at {t}" + (" (last day in shorter months)" if self.day > 28 else "")
        return f"Daily at {t}"


def parse_hhmm(text: str) -> time:
    try:
        h, m = str(text).strip().split(":")
        return time(int(h), int(m))
    except (ValueError, TypeError):
        raise ValueError(f"{str(text)[:20]!r} is not a time of day (HH:MM)") from None


def zone(tz: str) -> ZoneInfo:
    if tz not in timezones():
        raise ValueError(f"{str(tz)[:60]!r} is not an IANA timezone (for example Europe/London)")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{str(tz)[:60]!r} is not an IANA timezone") from None


@lru_cache(maxsize=1)
def timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _fires_on(freq: Frequency, d: date) -> bool:
    if freq.kind == "daily":
        return True
    if freq.kind == "weekly":
        return d.weekday() in freq.weekdays
    if freq.kind == "monthly":
        return d.day == min(freq.day, calendar.monthrange(d.year, d.month)[1])
    raise ValueError(f"unknown frequency {freq.kind!r}")


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def local_fire_time(freq: Frequency, tz: str, d: date) -> datetime:
    """The UTC instant of a local date's firing. Python's fold=0 gives the rules in the module docstring:
    a missing 02:30 maps through the pre-gap offset (= 03:30 after it), an ambiguous 01:30 to the first."""
    local = datetime.combine(d, freq.local_time, tzinfo=zone(tz))
    return local.astimezone(UTC)


def occurrences(freq: Frequency, tz: str, after: datetime, until: datetime) -> list[datetime]:
    """Every firing in (after, until], as aware UTC datetimes, oldest first."""
    after, until = _aware(after), _aware(until)
    if until <= after:
        return []
    z = zone(tz)
    out: list[datetime] = []
    if freq.kind == "hourly":
        minute = freq.local_time.minute
        hour = after.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        while hour <= until:
            offset_min = hour.astimezone(z).minute  # 30/45-minute zones shift the local minute
            t = hour + timedelta(minutes=(minute - offset_min) % 60)
            if after < t <= until and (not out or t != out[-1]):
                out.append(t)
            hour += timedelta(hours=1)
        return out
    d = after.astimezone(z).date() - timedelta(days=1)
    last = until.astimezone(z).date() + timedelta(days=1)
    while d <= last:
        if _fires_on(freq, d):
            t = local_fire_time(freq, tz, d)
            if after < t <= until:
                out.append(t)
        d += timedelta(days=1)
    return out


def next_occurrence(freq: Frequency, tz: str, after: datetime) -> datetime:
    """The first firing strictly after `after` (aware UTC)."""
    horizon = timedelta(days=2) if freq.kind in ("hourly", "daily") else timedelta(days=64)
    found = occurrences(freq, tz, after, _aware(after) + horizon)
    return found[0]


def resolve_date_range(spec: str, today: date) -> tuple[date, date]:
    """A relative range made concrete for the local date of an occurrence."""
    yesterday = today - timedelta(days=1)
    name, _, arg = str(spec).partition(":")
    if name == "yesterday":
        return yesterday, yesterday
    if name == "last_7_days":
        return today - timedelta(days=7), yesterday
    if name == "last_n_days":
        n = int(arg or 0)
        if not 1 <= n <= 3660:
            raise ValueError("N must be between 1 and 3660 days")
        return today - timedelta(days=n), yesterday
    if name == "month_to_date":
        return yesterday.replace(day=1), yesterday
    if name == "previous_month":
        first = today.replace(day=1)
        prev_last = first - timedelta(days=1)
        return prev_last.replace(day=1), prev_last
    raise ValueError(f"unknown date range {str(spec)[:40]!r}")


def describe_date_range(spec: str) -> str:
    name, _, arg = str(spec).partition(":")
    if name == "last_n_days":
        return f"Last {plural(arg, 'day')} (ending yesterday)"
    return DATE_RANGES.get(name, spec)


# --- schedules ---------------------------------------------------------------------------------

@dataclass
class Condition:
    type: str = "any_failures"
    threshold: float = 0.0               # failed_count: documents; failure_rate: percent
    factor: float = 2.0                  # spike: times the baseline's daily average
    baseline_days: int = 14
    min_failed: int = 3                  # spike: ignore tiny numbers
    quiet_hours: float = 24.0

    def describe(self) -> str:
        if self.type == "failed_count":
            return f"more than {self.threshold:g} failed documents"
        if self.type == "failure_rate":
            return f"failure rate above {self.threshold:g}%"
        if self.type == "spike":
            return f"failures above {self.factor:g}× the daily average of the previous {plural(self.baseline_days, 'day')}"
        return "any failed documents"


@dataclass
class Schedule:
    name: str
    report: str
    date_range: str
    frequency: Frequency
    timezone: str
    recipients: list[str]
    formats: tuple[str, ...] = mail.FORMATS
    kind: str = "report"
    filters: dict = field(default_factory=dict)      # zone / center / platform lists, status
    only_when_issues: bool = False
    condition: Condition | None = None
    paused: bool = False
    id: int | None = None
    owner: str | None = None
    owner_user_id: int | None = None
    last_alert_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_occurrence_at: datetime | None = None

    def filters_for(self, today: date) -> ReportFilters:
        d0, d1 = resolve_date_range(self.date_range, today)
        return from_params({**self.filters, "date_from": d0.isoformat(), "date_to": d1.isoformat()})


def validate(s: Schedule, allowed_domains: Sequence[str] = ()) -> Schedule:
    """Check every field; raise ScheduleInvalid listing all problems, else return the cleaned schedule."""
    problems: list[str] = []
    s.name = mail.clean_subject(s.name, limit=200) if s.name and s.name.strip() else ""
    if not s.name:
        problems.append("Give the schedule a name.")
    if s.report not in mail.REPORTS:
        problems.append(f"Unknown report {str(s.report)[:40]!r}.")
    if s.kind not in KINDS:
        problems.append(f"Unknown kind {str(s.kind)[:20]!r}.")
    try:
        resolve_date_range(s.date_range, date(2024, 3, 15))
    except ValueError as exc:
        problems.append(f"Date range: {exc}.")
    f = s.frequency
    try:
        parse_hhmm(f.at)
    except ValueError as exc:
        problems.append(f"Time: {exc}.")
    if f.kind not in FREQUENCIES:
        problems.append(f"Unknown frequency {str(f.kind)[:20]!r}.")
    if f.kind == "weekly" and not (f.weekdays and all(0 <= d <= 6 for d in f.weekdays)):
        problems.append("Pick at least one weekday.")
    if f.kind == "monthly" and not 1 <= f.day <= 31:
        problems.append("The day of the month must be between 1 and 31.")
    try:
        zone(s.timezone)
    except ValueError as exc:
        problems.append(f"Timezone: {exc}.")
    try:
        s.recipients = mail.parse_recipients(s.recipients)
    except mail.InvalidAddress as exc:
        problems.append(str(exc))
    else:
        problems += [f"{r}: {why}." for r in s.recipients if (why := mail.domain_refusal(r, allowed_domains))]
    s.formats = mail.parse_formats(s.formats)
    if not s.formats:
        problems.append("Choose at least one attachment format (CSV or XLSX).")
    status = s.filters.get("status") or "all"
    if status not in STATUS_CHOICES:
        problems.append(f"Unknown status filter {str(status)[:20]!r}.")
    if s.kind == "alert":
        c = s.condition or Condition()
        if c.type not in CONDITIONS:
            problems.append(f"Unknown alert condition {str(c.type)[:20]!r}.")
        if c.type in ("failed_count", "failure_rate") and c.threshold < 0:
            problems.append("The threshold must not be negative.")
        if c.type == "failure_rate" and c.threshold > 100:
            problems.append("A failure rate threshold is a percentage from 0 to 100.")
        if c.type == "spike" and (c.factor <= 1 or not 1 <= c.baseline_days <= 365):
            problems.append("A spike needs a factor above 1 and a baseline of 1 to 365 days.")
        if c.quiet_hours < 0:
            problems.append("The quiet period must not be negative.")
        s.condition = c
    if problems:
        raise ScheduleInvalid(problems)
    return s


def _dt(value) -> datetime | None:
    """Naive UTC datetime from a driver value (SQLite hands back text from untyped queries)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "")[:26])
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def from_row(r) -> Schedule:
    cond = json.loads(r["condition_json"]) if r["condition_json"] else None
    return Schedule(
        id=int(r["id"]), name=r["name"], kind=r["kind"], report=r["report"],
        filters=json.loads(r["filters_json"] or "{}"), date_range=r["date_range"],
        frequency=Frequency.from_json(r["frequency_json"]), timezone=r["timezone"],
        recipients=json.loads(r["recipients_json"] or "[]"), formats=mail.parse_formats(r["formats"]),
        only_when_issues=bool(r["only_when_issues"]), condition=Condition(**cond) if cond else None,
        paused=bool(r["paused"]), owner=r["owner"],
        owner_user_id=int(r["owner_user_id"]) if r["owner_user_id"] is not None and not pd.isna(r["owner_user_id"]) else None,
        last_alert_at=_dt(r["last_alert_at"]), created_at=_dt(r["created_at"]), updated_at=_dt(r["updated_at"]),
        last_occurrence_at=_dt(r.get("last_occurrence_at")) if hasattr(r, "get") else None,
    )


def _binds(s: Schedule) -> dict:
    return dict(schedule_name=s.name, kind=s.kind, report=s.report, filters_json=json.dumps(s.filters, sort_keys=True),
                date_range=s.date_range, frequency_json=s.frequency.to_json(), timezone=s.timezone,
                recipients_json=json.dumps(s.recipients), formats=",".join(s.formats),
                only_when_issues=bool(s.only_when_issues),
                condition_json=json.dumps(asdict(s.condition)) if s.kind == "alert" and s.condition else None)


def user_id(engine, username: str | None) -> int | None:
    if not username:
        return None
    df = sql.frame(engine, "schedule_user_by_username", username=username)
    return int(df.iloc[0]["id"]) if len(df) else None


def save(engine, s: Schedule, username: str | None, *, settings: Settings | None = None) -> int:
    """Create (s.id None) or update a schedule after validating it; returns its id."""
    s = validate(s, (settings or load_settings()).mail_allowed_domains)
    now = utcnow()
    created = s.id is None
    owner_id = user_id(engine, username) if created else None
    with engine.begin() as conn:
        if created:
            s.id = int(sql.execute(conn, "schedule_insert", owner_user_id=owner_id,
                                   paused=bool(s.paused), now=now, **_binds(s)).scalar_one())
        else:
            sql.execute(conn, "schedule_update", id=s.id, now=now, **_binds(s))
    _audit(engine, username, "schedule_change", {"schedule_id": s.id, "change": "created" if created else "edited",
                                                  "name": s.name, "recipients": s.recipients})
    return s.id


def set_paused(engine, schedule_id: int, paused: bool, username: str | None = None) -> None:
    with engine.begin() as conn:
        sql.execute(conn, "schedule_set_paused", id=schedule_id, paused=bool(paused), now=utcnow())
    _audit(engine, username, "schedule_change", {"schedule_id": schedule_id, "change": "paused" if paused else "resumed"})


def delete(engine, schedule_id: int, username: str | None = None) -> None:
    with engine.begin() as conn:
        sql.execute(conn, "schedule_detach_deliveries", id=schedule_id)
        sql.execute(conn, "schedule_delete", id=schedule_id)
    _audit(engine, username, "schedule_change", {"schedule_id": schedule_id, "change": "deleted"})


def list_schedules(engine, username: str | None, is_admin: bool) -> list[Schedule]:
    df = sql.frame(engine, "schedule_list", all_owners=1 if is_admin else 0, username=username or "")
    return [from_row(r) for _, r in df.iterrows()]


def get(engine, schedule_id: int) -> Schedule | None:
    df = sql.frame(engine, "schedule_get", id=int(schedule_id))
    return from_row(df.iloc[0]) if len(df) else None


def describe(s: Schedule) -> dict:
    """One row of the schedules table."""
    nxt = None
    if not s.paused:
        try:
            nxt = next_occurrence(s.frequency, s.timezone, datetime.now(UTC)).astimezone(zone(s.timezone))
        except (ValueError, IndexError):
            nxt = None
    what = describe_date_range(s.date_range)
    if s.kind == "alert" and s.condition:
        what = f"Alert when {s.condition.describe()} · {what}"
    return {
        "id": s.id, "Name": s.name, "Report": mail.REPORTS[s.report].title if s.report in mail.REPORTS else s.report,
        "What": what, "When": f"{s.frequency.describe()} ({s.timezone})",
        "Next": nxt.strftime("%Y-%m-%d %H:%M %Z") if nxt else "—",
        "Recipients": ", ".join(s.recipients), "Formats": ", ".join(f.upper() for f in s.formats),
        "Only when issues": bool(s.only_when_issues), "Status": "Paused" if s.paused else "Active",
        "Owner": s.owner or "—",
    }


# --- who sees what -----------------------------------------------------------------------------

def user_centers(engine, username: str | None) -> tuple[int, ...] | None:
    """The centers a user may see; None when no such user exists (or no username)."""
    from syncstatus import access

    viewer_for = getattr(access, "viewer_for", None)
    if viewer_for is None:  # before sign-in exists, everyone is an organization admin
        return access.all_center_ids(engine)
    if not username:
        return None
    try:
        viewer = viewer_for(engine, username)
    except (LookupError, ValueError, PermissionError):
        return None
    return tuple(viewer.center_ids) if viewer is not None else None


def _account_refusal(users: pd.DataFrame, address: str) -> str | None:
    """Why the address of these accounts receives nothing: one of them is disabled or locked."""
    now = utcnow()
    for u in users.itertuples():
        if not bool(u.active):
            return f"{address} belongs to the disabled account {u.username!r}; nothing is sent to it"
        locked = _dt(u.locked_until)
        if locked is not None and locked > now:
            return (f"{address} belongs to the account {u.username!r}, locked after failed sign-ins; nothing is "
                    "sent to it while it is locked")
    return None


def recipient_refusal(engine, address: str, sender: str | None, settings: Settings) -> str | None:
    """Why nothing may be sent to this address now, fit for the sender and the delivery log; None: go ahead.
    Checked before every attempt (first send, retry, resend), so a change since the schedule was saved counts."""
    why = mail.domain_refusal(address, settings.mail_allowed_domains)
    if why is None:
        why = _account_refusal(sql.frame(engine, "schedule_user_by_email", email=address), address)
    limit = settings.mail_rate_limit_per_hour
    if why is None and limit:
        sent = int(sql.frame(engine, "email_delivery_sent_since", username=sender or "",
                             since=utcnow() - timedelta(hours=1)).iloc[0]["sent"])
        if sent >= limit:
            why = (f"{sender or 'this schedule'} has sent {sent} emails in the last hour, the limit "
                   f"(setting MAIL_RATE_LIMIT_PER_HOUR = {limit}); try again later")
    return why


def recipient_centers(engine, address: str, owner: str | None, owner_centers: Sequence[int] = ()) -> tuple[int, ...]:
    """An app user's address gets that user's centers; any other address the owner's (else nothing). The
    address of a disabled or locked account gets nothing, never the owner's centers."""
    users = sql.frame(engine, "schedule_user_by_email", email=address)
    if _account_refusal(users, address):
        return ()
    if len(users):  # several accounts share the address: only what all of them may see
        sets = [set(user_centers(engine, str(u)) or ()) for u in users["username"]]
        return tuple(sorted(set.intersection(*sets)))
    mine = user_centers(engine, owner)
    if mine is None:
        mine = tuple(owner_centers)
    return tuple(sorted(int(c) for c in mine))


# --- deliveries --------------------------------------------------------------------------------

@dataclass
class Request:
    """Everything one delivery needs, stored with it so retries and resends rebuild the same email."""

    report: str
    filters: dict            # URL parameters with fixed dates
    formats: tuple[str, ...]
    recipient: str
    owner: str | None
    owner_centers: tuple[int, ...] = ()
    only_when_issues: bool = False
    heading: str | None = None
    # An alert's reason ("12 failed documents"), counted over the owner's centers: added to the heading only
    # for a recipient who sees all of those centers.
    heading_detail: str | None = None

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "formats": list(self.formats), "owner_centers": list(self.owner_centers)})

    @classmethod
    def from_json(cls, text: str) -> Request:
        d = json.loads(text)
        return cls(d["report"], d["filters"], tuple(d["formats"]), d["recipient"], d.get("owner"),
                   tuple(d.get("owner_centers") or ()), bool(d.get("only_when_issues")), d.get("heading"),
                   d.get("heading_detail"))


@dataclass
class Outcome:
    delivery_id: int
    recipient: str
    status: str
    error: str | None = None
    subject: str = ""


def _filters_params(f: ReportFilters) -> dict:
    p = to_params(f)
    p["date_from"], p["date_to"] = f.date_from.isoformat(), f.date_to.isoformat()
    return p


def _key(*parts) -> str:
    raw = "|".join(str(p) for p in parts)
    return f"{parts[0]}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def _claim(engine, *, key: str, schedule_id: int | None, occurrence_at: datetime | None, recipient: str,
           request: Request | None, requested_by: str | None, status: str = "sending", subject: str = "",
           error: str | None = None, now: datetime | None = None) -> int | None:
    """Insert the delivery row; None when another runner already holds this key."""
    now = now or utcnow()
    try:
        with engine.begin() as conn:
            return int(sql.execute(
                conn, "email_delivery_insert", schedule_id=schedule_id, occurrence_key=key,
                occurrence_at=occurrence_at, recipients=recipient, subject=mail.clean_subject(subject) if subject else "",
                status=status, next_attempt_at=now + LEASE if status == "sending" else None, error=error, now=now,
                request_json=request.to_json() if request else None, requested_by=requested_by,
            ).scalar_one())
    except sa.exc.IntegrityError:
        return None


def _finish(engine, delivery_id: int, *, status: str, subject: str, attempts: int,
            next_attempt_at: datetime | None = None, error: str | None = None, sent_at: datetime | None = None) -> None:
    with engine.begin() as conn:
        sql.execute(conn, "email_delivery_finish", id=delivery_id, status=status, subject=subject[:300],
                    attempts=attempts, next_attempt_at=next_attempt_at, error=(error or None) and error[:2000],
                    sent_at=sent_at)


def sender_centers(engine, req: Request) -> tuple[int, ...]:
    """The centers of whoever asked for a delivery (Email now: the sender; a schedule: its owner)."""
    mine = user_centers(engine, req.owner)
    return tuple(req.owner_centers) if mine is None else tuple(mine)


WITHHELD = "(figures withheld from the log: the recipient sees centers outside the sender's)"


def logged_subject(rendered: mail.RenderedReport, recipient: Sequence[int], sender: Sequence[int]) -> str:
    """The subject the delivery log keeps. The log is read by the sender (or schedule owner) and administrators;
    a subject's figures count the recipient's centers, so they are kept only when those are all the sender's
    own, and otherwise replaced by a note: the log never shows a sender counts outside their scope."""
    if set(recipient) <= set(sender):
        return rendered.subject
    return mail.clean_subject(f"{rendered.subject_without_figures} {WITHHELD}", limit=300)


def _attempt(engine, delivery_id: int, req: Request, attempts_before: int, *, settings: Settings,
             transport=None, force: bool = False, now: datetime | None = None,
             requested_by: str | None = None) -> Outcome:
    """Build and send one delivery; record the outcome (sent, retrying with backoff, failed, skipped)."""
    now = now or utcnow()
    attempts = attempts_before + 1
    subject = ""
    try:
        refused = recipient_refusal(engine, req.recipient, requested_by or req.owner, settings)
        if refused:
            _finish(engine, delivery_id, status="refused", subject="", attempts=attempts_before, error=refused)
            return Outcome(delivery_id, req.recipient, "refused", refused)
        centers = recipient_centers(engine, req.recipient, req.owner, req.owner_centers)
        if not centers:
            _finish(engine, delivery_id, status="skipped-no-access", subject="", attempts=attempts_before,
                    error="the recipient may see no centers")
            return Outcome(delivery_id, req.recipient, "skipped-no-access", "the recipient may see no centers")
        f = from_params(req.filters)
        sender = sender_centers(engine, req)
        heading = req.heading
        if req.heading_detail and set(sender) <= set(centers):
            heading = f"{req.heading} — {req.heading_detail}"
        rendered = mail.render_report(engine, req.report, centers, f, req.formats, heading=heading,
                                      settings=settings)
        subject = logged_subject(rendered, centers, sender)
        if req.only_when_issues and not force and not rendered.content.has_issues:
            _finish(engine, delivery_id, status="skipped-nothing-to-report", subject=subject, attempts=attempts_before)
            return Outcome(delivery_id, req.recipient, "skipped-nothing-to-report", subject=subject)
        msg = mail.build_message(settings.mail_from, [req.recipient], rendered.subject, rendered.html, rendered.text,
                                 rendered.attachments)
        (transport or mail.transport(settings)).send(msg)
    except (mail.MailError, mail.InvalidAddress, OSError, sa.exc.OperationalError) as exc:
        reason = str(exc) or type(exc).__name__
        if attempts >= MAX_ATTEMPTS:
            _finish(engine, delivery_id, status="failed", subject=subject, attempts=attempts,
                    error=f"gave up after {attempts} attempts: {reason}")
            return Outcome(delivery_id, req.recipient, "failed", reason, subject)
        wait = timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
        _finish(engine, delivery_id, status="retrying", subject=subject, attempts=attempts,
                next_attempt_at=now + wait, error=f"attempt {attempts}: {reason}")
        return Outcome(delivery_id, req.recipient, "retrying", reason, subject)
    _finish(engine, delivery_id, status="sent", subject=subject, attempts=attempts, sent_at=utcnow())
    _audit(engine, requested_by or req.owner, "email_sent", {"delivery_id": delivery_id, "report": req.report,
                                               "recipient": req.recipient, "filters": req.filters,
                                               "centers": len(centers)})
    return Outcome(delivery_id, req.recipient, "sent", None, subject)


def _audit(engine, username: str | None, action: str, detail: dict) -> None:
    try:
        from syncstatus import audit
    except ImportError:
        return
    record = getattr(audit, "record", None)
    if record is not None:
        record(engine, username, action, detail)


def send_now(engine, report_key: str, f: ReportFilters, recipients: str | Sequence[str], formats: Sequence[str],
             username: str | None, owner_centers: Sequence[int], *, settings: Settings | None = None,
             transport=None) -> list[Outcome]:
    """'Email now': one delivery per recipient, sent at once (failures are retried by the runner)."""
    addresses = mail.parse_recipients(recipients)
    fmts = mail.parse_formats(formats)
    if not fmts:
        raise mail.InvalidAddress("Choose at least one attachment format (CSV or XLSX).")
    if report_key not in mail.REPORTS:
        raise KeyError(f"unknown report {report_key!r}")
    settings = settings or load_settings()
    batch = uuid.uuid4().hex
    out = []
    for addr in addresses:
        req = Request(report_key, _filters_params(f), fmts, addr, username, tuple(int(c) for c in owner_centers))
        did = _claim(engine, key=_key("now", batch, addr.lower()), schedule_id=None, occurrence_at=None,
                     recipient=addr, request=req, requested_by=username)
        out.append(_attempt(engine, did, req, 0, settings=settings, transport=transport, requested_by=username))
    return out


def resend(engine, delivery_id: int, username: str | None, *, settings: Settings | None = None,
           transport=None) -> Outcome:
    """Send a logged delivery again, as a new log row, even when there was nothing to report."""
    df = sql.frame(engine, "email_delivery_get", id=int(delivery_id))
    if df.empty or not df.iloc[0]["request_json"]:
        raise LookupError("This delivery cannot be resent: what it sent was not recorded.")
    row = df.iloc[0]
    req = Request.from_json(row["request_json"])
    did = _claim(engine, key=_key("resend", delivery_id, uuid.uuid4().hex),
                 schedule_id=None if pd.isna(row["schedule_id"]) else int(row["schedule_id"]),
                 occurrence_at=_dt(row["occurrence_at"]), recipient=req.recipient, request=req, requested_by=username)
    return _attempt(engine, did, req, 0, settings=settings or load_settings(), transport=transport, force=True,
                    requested_by=username)


def deliveries(engine, username: str | None, is_admin: bool, statuses: Sequence[str] = tuple(STATUSES),
               since: datetime | None = None, limit: int = 500) -> pd.DataFrame:
    """The delivery log for a viewer, newest first."""
    df = sql.frame(engine, "email_delivery_list", all_requesters=1 if is_admin else 0, username=username or "",
                   statuses=list(statuses) or ["-"], since=since or datetime(2000, 1, 1), row_limit=int(limit))
    for c in ("created_at", "sent_at", "occurrence_at", "next_attempt_at"):
        df[c] = pd.to_datetime(df[c].map(_dt), errors="coerce")
    return df


# --- the runner --------------------------------------------------------------------------------

@dataclass
class RunSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    missed: int = 0
    locked_out: bool = False
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def describe(self) -> str:
        if self.locked_out:
            return "another runner is active; nothing done"
        counts = {s: self.count(s) for s in STATUSES if self.count(s)}
        parts = [f"{n} {s}" for s, n in counts.items()] or ["nothing due"]
        if self.missed:
            parts.append(f"skipped {self.missed} missed occurrences")
        return ", ".join(parts)


def evaluate_condition(engine, s: Schedule, f: ReportFilters, centers: tuple[int, ...]) -> tuple[bool, str]:
    """Does the alert's condition hold over these centers and dates? Returns (holds, explanation)."""
    c = s.condition or Condition()
    build = mail.REPORTS[s.report].build
    now_ = build(engine, centers, f)
    if c.type == "any_failures":
        return now_.failed > 0, f"{now_.failed:,} failed documents"
    if c.type == "failed_count":
        return now_.failed > c.threshold, f"{now_.failed:,} failed documents (threshold {c.threshold:g})"
    if c.type == "failure_rate":
        rate = 100.0 * now_.failed / now_.total if now_.total else 0.0
        return rate > c.threshold, f"failure rate {rate:.1f}% (threshold {c.threshold:g}%)"
    days = (f.date_to - f.date_from).days + 1
    base_f = f.with_(date_from=f.date_from - timedelta(days=c.baseline_days), date_to=f.date_from - timedelta(days=1))
    base = build(engine, centers, base_f)
    base_daily = base.failed / c.baseline_days
    cur_daily = now_.failed / days
    holds = now_.failed >= c.min_failed and cur_daily > c.factor * base_daily
    return holds, f"{cur_daily:.1f} failed per day vs {base_daily:.1f} over the previous {plural(c.baseline_days, 'day')}"


def _process_occurrence(engine, s: Schedule, occ: datetime, summary: RunSummary, settings: Settings,
                        transport, log: Callable[[str], None]) -> None:
    occ_naive = occ.astimezone(UTC).replace(tzinfo=None)
    today = occ.astimezone(zone(s.timezone)).date()
    f = s.filters_for(today)
    stamp = f"{occ_naive:%Y-%m-%dT%H:%M}Z"
    heading = detail = None
    if s.kind == "alert":
        owner_centers = user_centers(engine, s.owner) or ()
        holds, why = evaluate_condition(engine, s, f, tuple(sorted(owner_centers)))
        quiet = s.condition.quiet_hours if s.condition else 24.0
        if not holds:
            if s.last_alert_at is not None:
                with engine.begin() as conn:
                    sql.execute(conn, "schedule_set_last_alert", id=s.id, last_alert_at=None)
            status, error = "skipped-nothing-to-report", f"condition not met: {why}"
        elif s.last_alert_at is not None and occ_naive - s.last_alert_at < timedelta(hours=quiet):
            status, error = "skipped-already-alerted", f"still {why}; alerted at {s.last_alert_at:%Y-%m-%d %H:%M} UTC"
        else:
            status, error = None, None
        if status is not None:
            did = _claim(engine, key=_key("s", s.id, stamp, "-"), schedule_id=s.id, occurrence_at=occ_naive,
                         recipient="(condition check)", request=None, requested_by=s.owner, status=status,
                         subject=f"{s.name}: {why}", error=error)
            if did is not None:
                summary.outcomes.append(Outcome(did, "-", status, error))
            return
        heading, detail = mail.clean_subject(f"Alert: {s.name}"), why
        with engine.begin() as conn:
            sql.execute(conn, "schedule_set_last_alert", id=s.id, last_alert_at=occ_naive)
    for addr in s.recipients:
        req = Request(s.report, _filters_params(f), s.formats, addr, s.owner, (),
                      only_when_issues=s.only_when_issues or s.kind == "alert", heading=heading or s.name,
                      heading_detail=detail)
        did = _claim(engine, key=_key("s", s.id, stamp, addr.lower()), schedule_id=s.id, occurrence_at=occ_naive,
                     recipient=addr, request=req, requested_by=s.owner)
        if did is None:
            log(f"schedule {s.id} {stamp} {addr}: already claimed by another runner")
            continue
        o = _attempt(engine, did, req, 0, settings=settings, transport=transport, now=utcnow())
        summary.outcomes.append(o)
        log(f"schedule {s.id} '{s.name}' {stamp} -> {addr}: {o.status}" + (f" ({o.error})" if o.error else ""))


def _retry_due(engine, now: datetime, summary: RunSummary, settings: Settings, transport, log) -> None:
    due = sql.frame(engine, "email_delivery_due", now=now)
    for _, r in due.iterrows():
        with engine.begin() as conn:
            took = sql.execute(conn, "email_delivery_claim", id=int(r["id"]), status=r["status"],
                               attempts=int(r["attempts"]), now=now, lease_until=now + LEASE).rowcount
        if took != 1:
            continue
        row = sql.frame(engine, "email_delivery_get", id=int(r["id"])).iloc[0]
        if not row["request_json"]:
            _finish(engine, int(r["id"]), status="failed", subject=row["subject"], attempts=int(r["attempts"]),
                    error="nothing recorded to resend")
            continue
        o = _attempt(engine, int(r["id"]), Request.from_json(row["request_json"]), int(r["attempts"]),
                     settings=settings, transport=transport, now=now)
        summary.outcomes.append(o)
        log(f"retry of delivery {r['id']} -> {o.recipient}: {o.status}" + (f" ({o.error})" if o.error else ""))


def run_due(engine, now: datetime | None = None, *, settings: Settings | None = None, transport=None,
            use_lock: bool = True, log: Callable[[str], None] | None = None) -> RunSummary:
    """Send every occurrence that is due and every retry whose time has come. Safe to run concurrently."""
    log = log or (lambda _m: None)
    settings = settings or load_settings()
    now_aware = _aware(now) if now else datetime.now(UTC)
    now_naive = now_aware.replace(tzinfo=None)
    summary = RunSummary()
    with engine.connect() as lock_conn:
        if use_lock:
            locked = bool(sql.execute(lock_conn, "schedule_lock_try", key=LOCK_KEY).scalar())
            lock_conn.commit()
            if not locked:
                summary.locked_out = True
                log("another schedule runner holds the lock; nothing to do")
                return summary
        try:
            _retry_due(engine, now_naive, summary, settings, transport, log)
            for _, r in sql.frame(engine, "schedule_active", paused=False).iterrows():
                s = from_row(r)
                try:
                    cursor = max(x for x in (s.last_occurrence_at, s.updated_at, s.created_at) if x is not None)
                    cursor = max(cursor, now_naive - MAX_LOOKBACK)
                    due = occurrences(s.frequency, s.timezone, cursor, now_aware)
                    if not due:
                        continue
                    if len(due) > 1:
                        summary.missed += len(due) - 1
                        note = f"schedule {s.id} '{s.name}': skipped {len(due) - 1} missed occurrences"
                        summary.notes.append(note)
                        log(note)
                    _process_occurrence(engine, s, due[-1], summary, settings, transport, log)
                except (ValueError, KeyError) as exc:  # one broken schedule must not stop the others
                    summary.notes.append(f"schedule {s.id}: {exc}")
                    log(f"schedule {s.id} '{s.name}' cannot run: {exc}")
        finally:
            if use_lock:
                sql.execute(lock_conn, "schedule_lock_release", key=LOCK_KEY)
                lock_conn.commit()
    return summary


# --- the runner's heartbeat ----------------------------------------------------------------------

def record_heartbeat(engine, now: datetime | None = None) -> None:
    """Note that a runner has just checked for due schedules (each tick of the scheduler, each run-due)."""
    from syncstatus import access

    at = (_aware(now) if now else datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    access.put_setting(engine, HEARTBEAT_KEY, at.isoformat())


def last_heartbeat(engine) -> datetime | None:
    """When a runner last checked for due schedules (naive UTC), or None if none ever has."""
    from syncstatus import access

    value = access.get_setting(engine, HEARTBEAT_KEY)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def runner_silent(last: datetime | None, now: datetime) -> bool:
    """True when no runner has checked within RUNNER_SILENT_AFTER of `now` (naive UTC): schedules are not sent."""
    return last is None or now - last > RUNNER_SILENT_AFTER


def tick(engine, now: datetime | None = None, **kwargs) -> RunSummary:
    """One check of the runner: send what is due, then record the heartbeat."""
    summary = run_due(engine, now, **kwargs)
    record_heartbeat(engine, now)
    return summary


# --- command line ------------------------------------------------------------------------------

def _engine():
    from syncstatus import db

    engine = db.create_db_engine(load_settings().database_url)
    db.check_connection(engine)
    db.upgrade(engine)
    return engine


def cmd_run_due(args) -> int:
    now = datetime.fromisoformat(args.now) if args.now else None
    engine = _engine()
    summary = run_due(engine, now, use_lock=not args.no_lock, log=print)
    record_heartbeat(engine)  # the real time, also when --now pretends another
    print(summary.describe())
    return 0


def cmd_scheduler(args) -> int:
    engine = _engine()
    print(f"scheduler: checking every {args.interval} s (Ctrl+C to stop)")
    while True:
        try:
            summary = tick(engine, log=print)
            if summary.outcomes or summary.missed:
                print(f"{datetime.now():%Y-%m-%d %H:%M:%S} {summary.describe()}", flush=True)
        except sa.exc.OperationalError as exc:  # the database went away: keep the loop, try next time
            print(f"{datetime.now():%Y-%m-%d %H:%M:%S} database unavailable: {str(exc).splitlines()[0]}", flush=True)
        _time.sleep(max(1.0, args.interval - (_time.time() % args.interval)))


def cmd_list(args) -> int:
    for s in list_schedules(_engine(), None, True):
        d = describe(s)
        print(f"{d['id']:>4}  {d['Status']:<6}  {d['Name']}  ·  {d['When']}  ·  next {d['Next']}  ·  {d['Recipients']}")
    return 0


def register_cli(sub) -> None:
    sp = sub.add_parser("schedules", help="email schedules and alerts")
    ssub = sp.add_subparsers(dest="schedules_command", required=True)
    rd = ssub.add_parser("run-due", help="send what is due now (safe to run from cron every minute)")
    rd.add_argument("--now", help="pretend it is this UTC time, YYYY-MM-DDTHH:MM (testing and catch-up)")
    rd.add_argument("--no-lock", action="store_true", help="skip the PostgreSQL advisory lock")
    rd.set_defaults(func=cmd_run_due)
    ssub.add_parser("list", help="list schedules with their next run").set_defaults(func=cmd_list)
    sc = sub.add_parser("scheduler", help="run due schedules in a loop (a long-running service)")
    sc.add_argument("--interval", type=int, default=60, help="seconds between checks (default 60)")
    sc.set_defaults(func=cmd_scheduler)
