"""Report emails: what a report looks like in a message (HTML summary + CSV/XLSX of the full data) and how it leaves.

Transport: `SMTP_URL` (smtp://user:pass@host:port, STARTTLS when the server offers it; smtps:// for SSL)
when set, otherwise every message is written as an .eml file to the outbox folder, so the feature works
in the embedded default. Addresses are validated strictly and subjects lose every control character, so
no user text can add a header.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd

from syncstatus import exports, links
from syncstatus.config import Settings, load_settings
from syncstatus.reports.filters import ReportFilters, center_directory, to_params

FORMATS = ("csv", "xlsx")
MAX_RECIPIENTS = 50
# Rows of the table repeated in the message body; the attachments always carry every row.
BODY_ROWS = 60

# Deliberately stricter than RFC 5322: what real mailboxes use, nothing a header could misread.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


class InvalidAddress(ValueError):
    """One or more recipient addresses are unusable; the message names them."""


class MailError(RuntimeError):
    """Sending failed; the message is the reason in plain words (fit for the delivery log)."""


# --- addresses and headers -----------------------------------------------------------------------

def validate_address(raw: str) -> str:
    """A bare, lower-cased-domain address, or InvalidAddress. Rejects names, CR/LF and anything odd."""
    text = str(raw or "")
    if _CONTROL.search(text):
        raise InvalidAddress(f"{_shown(text)} contains a line break or control character")
    text = text.strip()
    if not text:
        raise InvalidAddress("an empty address")
    name, addr = parseaddr(text)
    if name or addr != text or len(addr) > 254 or not _ADDRESS.match(addr):
        raise InvalidAddress(f"{_shown(text)} is not an email address (expected name@example.com)")
    local, domain = addr.rsplit("@", 1)
    if len(local) > 64:
        raise InvalidAddress(f"{_shown(text)} has a name part longer than 64 characters")
    return f"{local}@{domain.lower()}"


def domain_refusal(address: str, allowed: Sequence[str]) -> str | None:
    """Why this address may not receive email under the allow-list (MAIL_ALLOWED_DOMAINS), or None.
    An allowed domain also admits its subdomains; an empty list admits every domain."""
    if not allowed:
        return None
    domain = address.rsplit("@", 1)[-1].lower()
    if any(domain == d or domain.endswith("." + d) for d in allowed):
        return None
    return (f"{_shown(domain)} is not an allowed recipient domain; email may go to {', '.join(allowed)} "
            "(setting MAIL_ALLOWED_DOMAINS)")


def parse_recipients(text: str | Iterable[str]) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or new lines; duplicates dropped, order kept.

    Raises InvalidAddress naming every bad entry, so the user can fix them all at once.
    """
    if isinstance(text, str):
        parts = [p for p in re.split(r"[,;\s]+", text) if p]
    else:
        parts = [p for item in text for p in re.split(r"[,;\s]+", str(item)) if p]
    if not parts:
        raise InvalidAddress("Enter at least one recipient address.")
    good: list[str] = []
    bad: list[str] = []
    for p in parts:
        try:
            a = validate_address(p)
        except InvalidAddress:
            bad.append(_shown(p))
            continue
        if a.lower() not in {g.lower() for g in good}:
            good.append(a)
    if bad:
        raise InvalidAddress(f"Not valid email address{'es' if len(bad) > 1 else ''}: {', '.join(bad)}. "
                             "Use the form name@example.com, separated by commas.")
    if len(good) > MAX_RECIPIENTS:
        raise InvalidAddress(f"At most {MAX_RECIPIENTS} recipients, got {len(good)}.")
    return good


def _sender(address: str) -> str:
    """MAIL_FROM comes from the operator, who may use a local name (syncstatus@localhost); still one clean line."""
    text = str(address or "").strip()
    name, addr = parseaddr(text)
    if _CONTROL.search(text) or name or addr != text or not re.fullmatch(r"[^@\s]+@[A-Za-z0-9.-]+", addr):
        raise MailError(f"MAIL_FROM {_shown(text)} is not a usable sender address")
    return addr


def _shown(text: str) -> str:
    return repr(_CONTROL.sub(" ", str(text))[:60])


def clean_subject(subject: str, limit: int = 200) -> str:
    """One line: control characters (CR, LF, tab, NUL ...) become spaces, runs of spaces collapse."""
    one_line = re.sub(r"\s+", " ", _CONTROL.sub(" ", str(subject or ""))).strip()
    # Python before 3.11.10 decodes RFC 2047 words in an assigned header ('=?utf-8?q?=0D=0ABcc:...?=') and
    # writes the CR/LF they carry (CVE-2024-6923): break every '=?' so user text is never decoded.
    one_line = one_line.replace("=?", "= ?")
    return one_line[:limit] or "syncstatus report"


def parse_formats(value: str | Iterable[str] | None) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or ())
    out = tuple(f for f in FORMATS if f in {str(i).strip().lower() for i in items})
    return out


# --- messages ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: str


def build_message(sender: str, to: Sequence[str], subject: str, html_body: str, text_body: str,
                  attachments: Sequence[Attachment] = ()) -> EmailMessage:
    sender = _sender(sender)
    msg = EmailMessage()
    msg["From"] = formataddr(("syncstatus", sender))
    msg["To"] = ", ".join(validate_address(a) for a in to)
    msg["Subject"] = clean_subject(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1])
    msg.set_content(text_body)
    msg.add_alternative(html_body, subtype="html")
    for a in attachments:
        maintype, subtype = a.mime.split("/", 1)
        extra = {"params": {"charset": "utf-8"}} if maintype == "text" else {}
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=re.sub(r"[^\w.-]", "_", a.filename),
                           **extra)
    return msg


# --- transports -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    ssl: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise MailError(f"SMTP_URL must start with smtp:// or smtps://, got {parts.scheme or 'nothing'}://")
    if not parts.hostname:
        raise MailError("SMTP_URL has no host (smtp://user:password@host:587)")
    secure = parts.scheme == "smtps"
    return SmtpConfig(parts.hostname, parts.port or (465 if secure else 25), secure,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


class SmtpTransport:
    def __init__(self, url: str, timeout: float = 20.0):
        self.config = parse_smtp_url(url)
        self.timeout = timeout

    def describe(self) -> str:
        c = self.config
        return f"SMTP {'(SSL) ' if c.ssl else ''}{c.host}:{c.port}"

    def send(self, msg: EmailMessage) -> str:
        c = self.config
        try:
            if c.ssl:
                client = smtplib.SMTP_SSL(c.host, c.port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(c.host, c.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if not c.ssl and client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if c.username:
                    client.login(c.username, c.password or "")
                refused = client.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{self.describe()}: {_reason(exc)}") from None
        if refused:
            raise MailError(f"{self.describe()} refused: {', '.join(sorted(refused))}")
        return f"sent via {self.describe()}"


class OutboxTransport:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def describe(self) -> str:
        return f"outbox {self.folder}"

    def send(self, msg: EmailMessage) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(bytes(msg))
            tmp.replace(path)  # a reader never sees half a message
        except OSError as exc:
            raise MailError(f"cannot write to the outbox {self.folder}: {_reason(exc)}") from None
        return f"written to {path}"


def transport(settings: Settings | None = None) -> SmtpTransport | OutboxTransport:
    settings = settings or load_settings()
    return SmtpTransport(settings.smtp_url) if settings.smtp_url else OutboxTransport(settings.outbox_dir)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the mail server running?)"
    return str(exc) or type(exc).__name__


# --- report registry --------------------------------------------------------------------------

@dataclass
class ReportContent:
    """A report rebuilt for one set of centers: the full table plus what the summary needs."""

    table: pd.DataFrame
    highlight: list[str | None]
    totals_last_row: bool
    metrics: dict[str, int]          # shown in the summary, in order
    failed: int
    pending: int
    total: int
    extra_html: str = ""

    @property
    def has_issues(self) -> bool:
        return bool(self.failed or self.pending)


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str
    page: str                         # links page key for "open in the dashboard"
    build: Callable[..., ReportContent]


def _sync_status(engine, center_ids: tuple[int, ...], f: ReportFilters) -> ReportContent:
    from syncstatus.reports import sync_status

    r = sync_status.build(engine, center_ids, f)

    def val(column: str) -> int:
        return int(r.totals[column]) if len(r.table) else 0

    failed = val("Failed Invoices") + val("Failed Misc. Journals")
    pending = val("Pending Invoices") + val("Pending Misc. Journals")
    total = val("Total Invoices") + val("Total Misc. Journals")
    causes = ""
    if not r.causes.empty:
        causes = "<h3 style='font-size:14px'>Why documents failed</h3>" + _html_table(r.causes.drop(columns=["category"]))
    return ReportContent(
        table=r.table,
        highlight=["failed" if x else None for x in sync_status.failing_rows(r.table)],
        totals_last_row=True,
        metrics={"Centers": len(r.body), "Invoices": val("Total Invoices"), "Failed invoices": val("Failed Invoices"),
                 "Pending invoices": val("Pending Invoices"), "Misc. journals": val("Total Misc. Journals"),
                 "Failed misc. journals": val("Failed Misc. Journals")},
        failed=failed, pending=pending, total=total, extra_html=causes,
    )


def _failed_documents_spec() -> ReportSpec | None:
    """Registered when the failed-documents export exists (reports.documents.failed_documents)."""
    try:
        from syncstatus.reports import documents
    except ImportError:
        return None
    fn = getattr(documents, "failed_documents", None)
    if fn is None:
        return None

    def build(engine, center_ids, f):
        df = fn(engine, center_ids, f)
        df = getattr(df, "table", df)
        n = len(df)
        return ReportContent(table=df, highlight=["failed"] * n, totals_last_row=False,
                             metrics={"Failed documents": n}, failed=n, pending=0, total=n)

    return ReportSpec("failed_documents", "Failed documents", "sale_orders", build)


REPORTS: dict[str, ReportSpec] = {
    "sync_status": ReportSpec("sync_status", "Integrations Sync Status", "sync_status", _sync_status),
}
if (_spec := _failed_documents_spec()) is not None:
    REPORTS[_spec.key] = _spec


@dataclass
class RenderedReport:
    subject: str
    html: str
    text: str
    attachments: list[Attachment]
    content: ReportContent
    centers: int = 0
    notes: list[str] = field(default_factory=list)
    subject_without_figures: str = ""   # title and filters only: what a log may show outside the figures' scope


def describe_filters(f: ReportFilters, directory: pd.DataFrame | None = None) -> str:
    parts = [f"{f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}"]
    names = {} if directory is None else directory.set_index("center_code")["center_name"].to_dict()
    zones = {} if directory is None else directory.drop_duplicates("zone_code").set_index("zone_code")["zone_name"].to_dict()
    if f.zones:
        parts.append("zones: " + ", ".join(zones.get(z, z) for z in f.zones))
    if f.centers:
        parts.append("centers: " + ", ".join(names.get(c, c) for c in f.centers))
    if f.platforms:
        from syncstatus.schema import PLATFORM_NAMES

        parts.append("platforms: " + ", ".join(PLATFORM_NAMES.get(p, p) for p in f.platforms))
    if f.status != "all":
        from syncstatus.reports.filters import STATUS_CHOICES

        parts.append(STATUS_CHOICES.get(f.status, f.status).lower())
    return "; ".join(parts)


def render_report(engine, report_key: str, center_ids: Sequence[int], f: ReportFilters,
                  formats: Sequence[str] = FORMATS, *, heading: str | None = None,
                  settings: Settings | None = None) -> RenderedReport:
    """Rebuild a report for these centers and turn it into subject, HTML/text body and attachments."""
    spec = REPORTS.get(report_key)
    if spec is None:
        raise KeyError(f"unknown report {report_key!r}; known: {', '.join(REPORTS)}")
    settings = settings or load_settings()
    ids = tuple(sorted(int(c) for c in center_ids))
    content = spec.build(engine, ids, f)
    directory = center_directory(engine, ids) if ids else None
    where = describe_filters(f, directory)
    title = heading or spec.title
    plain = clean_subject(f"{title}: {where}")
    subject = clean_subject(f"{title}: {where}" + (f" — {content.failed:,} failed" if content.failed else ""))
    url = links.to(spec.page, **to_params(f)).url(settings.public_base_url)
    stem = f"{report_key}_{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}"
    attachments = []
    if "csv" in formats:
        attachments.append(Attachment(f"{stem}.csv", exports.to_csv_bytes(content.table), "text/csv"))
    if "xlsx" in formats:
        attachments.append(Attachment(f"{stem}.xlsx", exports.to_xlsx_bytes(
            content.table, sheet=report_key, highlight=content.highlight, totals_last_row=content.totals_last_row,
            title=f"{spec.title} — {where}",
            about=exports.about_rows(spec.title, f, where.split("; ", 1)[1] if "; " in where else "",
                                     f"recipient's centers ({len(ids):,})", len(content.table))), exports.XLSX_MIME))

    metrics_html = "".join(
        f"<td style='padding:6px 14px;border:1px solid #ddd'><div style='color:#666;font-size:12px'>"
        f"{html.escape(k)}</div><div style='font-size:18px;font-weight:bold'>{v:,}</div></td>"
        for k, v in content.metrics.items())
    shown = content.table.head(BODY_ROWS)
    more = len(content.table) - len(shown)
    body = [
        "<html><body style='font-family:Arial,Helvetica,sans-serif;color:#222'>",
        f"<h2 style='font-size:18px;margin-bottom:2px'>{html.escape(title)}</h2>",
        f"<p style='color:#555;margin-top:0'>{html.escape(where)}</p>",
        f"<table style='border-collapse:collapse'><tr>{metrics_html}</tr></table>",
        "<br>" + _html_table(shown, content.highlight[: len(shown)]),
        (f"<p>… and {more:,} more rows in the attachment.</p>" if more > 0 else ""),
        content.extra_html,
        f"<p><a href='{html.escape(url, quote=True)}'>Open this view in syncstatus</a></p>",
        "<p style='color:#888;font-size:11px'>" + html.escape(
            "Attached: " + (", ".join(a.filename for a in attachments) or "nothing (no format chosen)")
            + f". Generated {datetime.now():%Y-%m-%d %H:%M}.") + "</p>",
        "</body></html>",
    ]
    text = "\n".join([title, where, ""] + [f"{k}: {v:,}" for k, v in content.metrics.items()]
                     + ["", f"Open in syncstatus: {url}",
                        "Attached: " + (", ".join(a.filename for a in attachments) or "nothing")])
    return RenderedReport(subject, "\n".join(body), text, attachments, content, centers=len(ids),
                          subject_without_figures=plain)


def _html_table(df: pd.DataFrame, highlight: Sequence[str | None] | None = None) -> str:
    fills = {"failed": "#fde2e1", "deleted": "#fff1c2"}
    head = "".join(f"<th style='background:#1f5fa8;color:#fff;padding:4px 8px;text-align:left'>"
                   f"{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for i, row in enumerate(df.itertuples(index=False)):
        bg = fills.get((highlight or [None] * len(df))[i] or "", "")
        style = f" style='background:{bg}'" if bg else ""
        cells = "".join(f"<td style='padding:3px 8px;border-bottom:1px solid #eee'>{html.escape(_cell(v))}</td>"
                        for v in row)
        rows.append(f"<tr{style}>{cells}</tr>")
    return (f"<table style='border-collapse:collapse;font-size:12px'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _cell(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return exports.MISSING
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
        if isinstance(v, int):
            return f"{v:,}"
    return str(v)


def send(msg: EmailMessage, settings: Settings | None = None) -> str:
    """Send one message through the configured transport; MailError on failure."""
    return transport(settings).send(msg)
