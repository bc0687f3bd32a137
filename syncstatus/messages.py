"""Response messages: turn what an accounting platform (or our connector) answered into what failed, why
(category), which field/reference, and what to do. Handles connector JSON/text, QBO faults (JSON, lower-case,
XML), Xero (ApiException JSON/XML, envelopes, problem+json, OAuth1 form bodies), OAuth errors, Sage Intacct XML,
NetSuite SOAP/REST and plain text. `parse_response` never raises. See DOMAIN.md, "Response messages".

A wrapper's words ("Bad Request", an exception class, a stack trace) give way to the platform's own document inside
it: nested fields, JSON/XML escaped in strings, Python/Ruby literals, key=value dumps. Codes are looked up in the
per-platform tables of syncstatus/codes/*.csv (loaded once); a code marked `decides=code` settles the category
before the words are read. XML with a DTD is refused unread. docs/REPORTS.md reports agreement on tests/corpus.
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import csv
import html
import json
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from syncstatus.schema import FAILURE_CATEGORIES

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "CODE_TABLES", "FIX_HINTS", "RETRYABLE", "SUCCESS", "CodeMeaning",
           "ParsedResponse", "code_meaning", "parse_response"]

CATEGORIES: tuple[str, ...] = FAILURE_CATEGORIES  # one list: the rollup sync_center_day has a column each
SUCCESS = "success"

CATEGORY_LABELS: dict[str, str] = {
    "mapping_missing": "Mapping missing",
    "reference_inactive_or_deleted": "Account/item inactive or deleted",
    "duplicate": "Duplicate document number",
    "stale_object": "Changed in the platform meanwhile",
    "period_locked": "Period locked",
    "validation": "Validation error",
    "document_state": "Document state does not allow it",
    "authorization": "Authorization expired or denied",
    "subscription": "Subscription inactive",
    "rate_limit": "Rate limited",
    "platform_unavailable": "Platform unavailable",
    "unknown": "Unknown error",
    SUCCESS: "Synced",
}

FIX_HINTS: dict[str, str] = {
    "mapping_missing": "Map the payment type, item or account to one in the accounting platform, then resync.",
    "reference_inactive_or_deleted": "Re-activate the account in the accounting platform or map a different one, then resync.",
    "duplicate": "Use unique document numbers (e.g. a different number prefix per center), then resync.",
    "stale_object": "Resync: the record changed in the accounting platform meanwhile and will be re-read first.",
    "period_locked": "Reopen the period or move the lock date in the accounting platform, or post to an open period, then resync.",
    "validation": "Correct the value named in the message in the source document or its mapping, then resync.",
    "document_state": "Check the document's status in the accounting platform (approve it, or remove what blocks the edit), then resync.",
    "authorization": "Reconnect the integration with a user that has the needed permissions; syncing resumes after that.",
    "subscription": "Renew or reactivate the accounting platform subscription, then resync.",
    "rate_limit": "Wait: the sync retries automatically once the platform's rate limit resets (about a minute).",
    "platform_unavailable": "Wait: the sync retries automatically; contact support if the outage persists.",
    "unknown": "Open the raw response; contact support if the cause is not clear.",
    SUCCESS: "Nothing to do.",
}

# authorization stays False: retrying before the user reconnects only burns attempts
RETRYABLE: dict[str, bool] = {c: c in ("rate_limit", "platform_unavailable", "stale_object") for c in CATEGORIES}
RETRYABLE[SUCCESS] = False

PLATFORM_NAMES = {"qbo": "QBO", "xero": "Xero", "intacct": "Sage Intacct", "netsuite": "NetSuite", "connector": "Connector"}
_PLATFORM_ALIASES = {
    "quickbooks": "qbo", "quickbooks online": "qbo", "qbo": "qbo", "xero": "xero", "intacct": "intacct",
    "sage intacct": "intacct", "sage_intacct": "intacct", "netsuite": "netsuite", "connector": "connector",
}  # fmt: skip
MAX_PARSE_CHARS = 1_000_000  # inputs beyond this are parsed by prefix only
_MAX_RULE_TEXT = 20_000  # code and document patterns look at this much of any one text
_RULE_WINDOW = 2_000  # category rules read the start of each text: the human sentence is there, not in a tail
_CODE_WINDOW = 5_000  # codes quoted in plain text sit near its start
_MAX_TEXTS = 25  # texts per response the rules and the message choice look at
_MESSAGE_CHARS = 300
_NO_RESPONSE = "No response recorded"
_EMPTY_PAGE = "An HTML page with no error text (a proxy or sign-in page answered instead of the API)"


@dataclass(frozen=True)
class ParsedResponse:
    platform: str | None
    code: str | None
    category: str
    message: str
    reference: str | None
    retryable: bool
    fix_hint: str
    external_ref: str | None
    raw: str

    @property
    def success(self) -> bool:
        return self.category == SUCCESS

    @property
    def label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    def summary(self) -> str:
        """One line: label (platform code): message — hint."""
        where = " ".join(x for x in (PLATFORM_NAMES.get(self.platform or "", self.platform), self.code) if x)
        head = f"{self.label} ({where})" if where else self.label
        if self.success:
            return f"{head}: {self.message}"
        hint = self.fix_hint.rstrip(".")
        return f"{head}: {self.message} — {hint[:1].lower()}{hint[1:]}"


# --- Classification tables. Text rules run first, in order: the first match wins; then the code tables. ---
_TEXT_RULES: list[tuple[str, str]] = [
    # our own configuration problem, named before anything the platform says
    ("mapping_missing", r"didn'?t match with mapped value|please add (?:a )?(?:credit|debit)|no mapping|"
                        r"mappings? (?:is |are )?(?:missing|not found)|(?:is )?not mapped\b|please map\b"),
    # before authorization: QBO throttling arrives as statusCode=403
    ("rate_limit", r"throttl|rate[ _-]?limit|too many requests|request limit|retry-after|"
                   r"one request may be made against a session|concurrent (?:request|session|connection)|"
                   r"(?:concurrency|daily|minute|api|call) limit|concur_session|\bslow_down\b"),
    # before the not-found rules: "could not find resource" inside a system failure is an outage
    ("platform_unavailable", r"unhandled (?:error|exception)|internal ?server ?error|service (?:is )?(?:temporarily )?"
                             r"unavailable|system failure|application error has occurred|bad gateway|gateway "
                             r"time-?out|temporarily_unavailable|\bserver_error\b|under maintenance|"
                             r"organisation is offline|unexpected_error|timed out|connection (?:reset|refused|aborted)|"
                             r"unexpected (?:internal )?error|went wrong on our end|api may be down|"
                             r"(?:currently )?offline for maintenance|an error occurred in xero|intermittent internal|"
                             r"max retries exceeded|failed to establish a new connection|getaddrinfo|enotfound|"
                             r"econnrefused|econnreset|responded with status 5\d\d|status code 5\d\d|"
                             r"status code \[0\]|response code:?\s*\[0\]"),
    # "not subscribed to currency NZD" is a validation error, not a lapsed plan
    ("subscription", r"demo company|invalid company status|subscription (?:has )?(?:expired|ended|lapsed|"
                     r"cancel+ed|inactive|suspended)|(?:expired|cancel+ed|suspended) subscription|"
                     r"subscription (?:period )?(?:for company )?has (?:ended|lapsed)|subscription on this account|"
                     r"must be upgraded|upgrade your (?:plan|subscription)|not subscribed(?! to (?:the )?currenc)|"
                     r"trial (?:period )?(?:has )?(?:expired|ended)|trial or subscription|company (?:has )?expired|"
                     r"account (?:is |has been )?(?:suspended|disabled|inactivated)|billing problem"),
    ("authorization", r"token (?:has been |is )?(?:expired|revoked|invalid)|token_?expired|tokenexpired|"
                      r"token_rejected|invalid_grant|invalid_client|unauthori[sz]ed|authentication ?failed|"
                      r"authentication ?unsuccessful|authentication (?:error|required|failure)|authorization ?failed|"
                      r"sign-?in information is incorrect|incorrect\b.{0,40}\b(?:password|credentials|user ?id)|"
                      r"invalid (?:login|credentials|email address|password|user ?name|tokens?\b|application)|"
                      r"login (?:failed|credentials|attempt)|insufficient permission|permission violation|"
                      r"access[ _]denied|\bforbidden\b|signature_invalid|(?:do not|don'?t) have (?:the )?permissions?|"
                      r"not been configured to use these api|refresh token|certificate was not valid|"
                      r"entity-restricted user|reconnect"),
    ("period_locked", r"lock date|period (?:is )?(?:closed|locked)|closed (?:accounting )?period|books are closed|"
                      r"closing date|locked period|period .{0,30}\bhas (?:been )?closed|periods? (?:are|is) closed|"
                      r"period has closed|period that'?s been closed|not within the date range of your accounting "
                      r"period|period lock|books (?:are|were) closed"),
    # a bad query, an unknown object *type* or a wrong kind of reference is a request problem, not a deleted record
    ("validation", r"object definition \S+ not found|invalid query|unsupported property|unrecognized field|"
                   r"not subscribed to (?:the )?currenc|"
                   r"unsupported operation|is not supported|not allowed for|cannot be used in transactions|"
                   r"was not recognised"),
    ("document_state", r"can only be (?:made|applied) against|cannot be (?:edited|changed|modified|voided)|"
                       r"not modifiable|not of valid status for modification|(?:has been|is already|already "
                       r"been) (?:voided|paid|deposited|reconciled)|deposited transaction|locked for editing|"
                       r"record has been locked|locked by a user defined workflow|\bonly (?:authori[sz]ed|draft|"
                       r"approved|submitted)\b.{0,60}\bmay\b|has a payment or credit note allocated"),
    ("stale_object", r"stale object|stale (?:data|token)|synctoken|working on this at the same time|"
                     r"modified by (?:another|someone)|has (?:been )?changed since|record has been changed"),
    ("duplicate", r"duplicate|must be unique|already (?:exists|in use|assigned|been used|used|connected)|not unique|"
                  r"unique constraint|enter a unique|name supplied already exists"),
    ("reference_inactive_or_deleted", r"made inactive|(?:is|been|was|are) (?:inactive|archived|deleted|removed)|"
                                      r"\barchived\b|\bdeleted\b|not found|could not be found|could ?n[o']?t find|"
                                      r"cannot find|does ?n[o']t exist|no longer exists|invalid reference|"
                                      r"reference key|specified key is invalid|not a recognised account|"
                                      r"\binactive\b|invalid record\b|recordnotfound|invalid project\b"),
    ("validation", r"must equal|debits?\b.{0,60}\bcredits?|out of balance|not balanced|exceed|length|too long|"
                   r"maximum|required|must be (?:specified|provided|entered)|please enter value|\binvalid\b|"
                   r"not (?:a |of )?valid|illegal|cannot be (?:empty|blank|negative|zero)|must be\b|"
                   r"must contain|do(?:es)? not match|should be identified|not implemented|please link|"
                   r"\benter (?:an?|the)\b|remove the extra|smart rule|validation error|try reselecting|"
                   r"must (?:fill|select|have)|split line|malformed|\bbad request\b|\benable\b.{0,40}\btry again"),
]  # fmt: skip



@dataclass(frozen=True)
class CodeMeaning:
    """One row of a platform code table (syncstatus/codes/*.csv)."""

    category: str
    decides: bool  # the code settles the category whatever the words say
    hint: str
    source: str


def _load_code_tables() -> dict[str, dict[str, CodeMeaning]]:
    """The per-platform code tables, read once at import; a bad row fails loudly."""
    tables: dict[str, dict[str, CodeMeaning]] = {}
    for path in sorted(CODES_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        table = {}
        for row in rows:
            category, decides = row["category"].strip(), row["decides"].strip()
            if category not in CATEGORIES or decides not in ("code", "text") or not row["source"].strip():
                raise ValueError(f"{path.name}: bad row {row}")
            table[_code_key(row["code"])] = CodeMeaning(category, decides == "code", row["hint"].strip(),
                                                        row["source"].strip())  # fmt: skip
        tables[path.stem] = table
    return tables


def _code_key(code: object) -> str:
    """Lower-case, trimmed, and QBO's zero-padded numbers ("003200") without their zeros."""
    key = str(code).strip().lower()
    return key.lstrip("0") or key if key.isdigit() else key


def code_meaning(platform: str | None, code: object) -> CodeMeaning | None:
    """What a code means: the platform's table first, then the codes common to all (OAuth, HTTP)."""
    if code in (None, ""):
        return None
    key = _code_key(code)
    return CODE_TABLES.get(platform or "", {}).get(key) or CODE_TABLES.get("common", {}).get(key)


CODES_DIR = Path(__file__).with_name("codes")
CODE_TABLES = _load_code_tables()

# Platform signatures for bodies without a recognisable structure (plain text, broken JSON/XML).
_TEXT_PLATFORMS = [
    ("connector", re.compile(r"didn'?t match with mapped value|please add (?:a )?(?:credit|debit)", re.I)),
    ("qbo", re.compile(r"intuit|quickbooks|errorcode=\d+|\$\$\w+\$\$|\"fault\"\s*:", re.I)),
    ("intacct", re.compile(r"intacct|(?-i:\bXMLGW_\w+|\b[A-Z]{2}\d{8}\b)|<errormessage>", re.I)),
    ("netsuite", re.compile(r"netsuite|platformCore|platformFaults|(?-i:^\s*[A-Z]+(?:_[A-Z]+)+\s+[-:]\s)", re.I)),
    ("xero", re.compile(r"\bxero\b|oauth_problem|authorised documents|lock date|not of valid status|"
                        r"credit note allocated|has been archived|\"ErrorNumber\"|ApiException", re.I)),
]  # fmt: skip
_QUOTED = re.compile(r"(?<![\w'])'([^'\n]{1,80}?)'(?!\w)|\"([^\"\n]{1,80}?)\"")
_REF_AFTER = re.compile(r"\binvalid (?:[a-z]+ )?reference (?:key |id )?#?:?\s*([\w-]*\d[\w-]*)", re.I)
_SUCCESS_TEXT = re.compile(r"(?:ok|success(?:ful(?:ly)?)?|synced(?: successfully)?)\.?", re.I)


# one pass over lower-cased text, no IGNORECASE: several times faster than the rules one by one
_ALL_RULES = re.compile("|".join(f"(?P<r{i}>{rx})" for i, (_cat, rx) in enumerate(_TEXT_RULES)), re.S)


def _rule(text: str) -> str | None:
    """The first rule (in _TEXT_RULES order) any part of the text's start matches: one pass over the text."""
    return _rule_window(text[:_RULE_WINDOW].lower())


@lru_cache(maxsize=1024)
def _rule_window(text: str) -> str | None:
    hits = [int(match.lastgroup[1:]) for match in _ALL_RULES.finditer(text) if match.lastgroup]
    return _TEXT_RULES[min(hits)][0] if hits else None


def _categorise(platform: str | None, texts: list[str], keys: list[object]) -> tuple[str, CodeMeaning | None]:
    """Throttling words in the message first; then a code that decides (OAuth, sign-in, limits); then the words, most specific
    text first; then any known code as a fallback. Returns the category and the code-table row that applies."""
    texts = [t for t in texts if t][:_MAX_TEXTS]
    meanings = [m for m in (code_meaning(platform, k) for k in keys[:_MAX_TEXTS]) if m]
    if texts and _rule_window(texts[0][:_RULE_WINDOW].lower()) == "rate_limit":  # the message itself, not a stale faultstring
        return "rate_limit", next((m for m in meanings if m.category == "rate_limit"), None)
    decisive = next((m for m in meanings if m.decides), None)
    if decisive:
        return decisive.category, decisive
    for text in texts:
        hit = _rule(text)
        if hit:
            return hit, next((m for m in meanings if m.category == hit), None)
    if meanings:
        return meanings[0].category, meanings[0]
    return "unknown", None


# --- Small helpers ---
@dataclass
class _Found:
    """What a shape handler extracted; turned into a ParsedResponse by _build."""

    platform: str | None = None
    code: str | None = None
    texts: list[str] = field(default_factory=list)  # most specific first, used for classification
    keys: list[object] = field(default_factory=list)  # code, then type names, for the code tables
    message: str | None = None
    reference: str | None = None
    external_ref: str | None = None
    success: bool = False


def _clean(value: object) -> str:
    """Whitespace-collapsed string of a scalar ('' for None and containers)."""
    return "" if value is None or isinstance(value, (dict, list)) else " ".join(str(value).split())


def _clip(text: str, limit: int = _MESSAGE_CHARS) -> str:
    text = _clean(text[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _str_or_none(value: object) -> str | None:
    return _clean(value) or None


def _ci(obj: object, *names: str) -> object:
    """Case-insensitive dict lookup (platforms disagree on 'Fault' vs 'fault')."""
    lowered = {str(k).lower(): v for k, v in obj.items()} if isinstance(obj, dict) else {}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def _walk(obj: object, limit: int = 50_000):
    """Yield (key, value) of nested JSON in document order, iteratively and bounded (no recursion)."""
    stack = [iter([(None, obj)])]
    seen = 0
    while stack:
        for key, value in stack[-1]:
            seen += 1
            if seen > limit:
                return
            yield key, value
            if isinstance(value, dict):
                stack.append(iter(value.items()))
                break
            if isinstance(value, list):
                stack.append(iter([(None, item) for item in value]))
                break
        else:
            stack.pop()


def _reference(texts: list[str], structured: object = None) -> str | None:
    """A name quoted in the text ('MasterCard', '200'), else the structured field/element."""
    for text in texts:
        match = _QUOTED.search(text[:_MAX_RULE_TEXT]) or _REF_AFTER.search(text[:_MAX_RULE_TEXT])
        if match:
            return next(g for g in match.groups() if g)
    return _str_or_none(structured)


def reference_in(text: object) -> str | None:
    """The reference a stored message names ("Invalid Account Reference Key 4200" -> "4200"), for rows whose
    reference column is empty (imported before the rule knew the wording)."""
    return _reference([str(text)]) if isinstance(text, str) and text else None


def _more(messages: list[str]) -> str:
    return messages[0] + (f" (+{len(messages) - 1} more)" if len(messages) > 1 else "")


# --- Decoding and loading ---
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]  # fmt: skip


def _decode(raw: object) -> str:
    if raw is None or isinstance(raw, str):
        return raw or ""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        return str(raw)
    raw = bytes(raw)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    if raw[:2] in (b"<\x00", b"{\x00"):  # UTF-16 without BOM, as some .NET stacks send XML
        return raw.decode("utf-16-le", errors="replace")
    if raw[:2] in (b"\x00<", b"\x00{"):
        return raw.decode("utf-16-be", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # legacy Windows stacks; undefined bytes become U+FFFD


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*("?)|[{}\[\],]')


def _repair_json(text: str) -> object:
    """Parse JSON cut off mid-way (e.g. by a varchar column) by closing what is open. Walks tokens (whole
    strings, brackets, commas), not characters, so a large broken body stays fast."""
    text = text[:20_000]  # the error is at the start; reading further only costs time
    stack: list[str] = []
    in_string = escaped = False
    last_comma: tuple[int, str] | None = None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            if not match.group(1) or len(token) == 1:  # a string the cut left open
                in_string, escaped = True, token.endswith("\\") and not token.endswith("\\\\")
                break
        elif token in "{[":
            stack.append("}" if token == "{" else "]")
            if len(stack) > 200:  # no platform nests this deep: not a cut-off document
                return None
        elif token in "}]":
            if stack:
                stack.pop()
        else:
            last_comma = (match.start(), "".join(reversed(stack)))
    closers = "".join(reversed(stack))
    body = text[:-1] if escaped else text
    candidates = [body + '"' + closers] if in_string else [text.rstrip().rstrip(",:") + closers]
    if last_comma:
        candidates.append(text[: last_comma[0]] + last_comma[1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):
            continue
    return None


def _load_json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _repair_json(text)


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Any DTD anywhere (not just one well-formed at the top) is refused, never stripped: stripping in one pass let
# "<!DOC<!DOCTYPE x>TYPE ..." reassemble a DTD whose entities then expanded (issue #24, item 9).
_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.I)
_DTD_REFUSED = "XML with a document type declaration (DTD) was refused unread: entities in it are never expanded"
_PREFIXED_TAG = re.compile(r"<(/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])")
_NS_ATTR = re.compile(r"\s(?:xmlns(?::[\w.-]+)?|[\w.-]+:[\w.-]+)\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_HTML = re.compile(r"\s*(?:<!doctype html|<html\b|<head\b|<body\b)", re.I)
_TAG = re.compile(r"<[^<>]*>")  # never spans a "<": linear on "<<<<…"
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)


class _DTDRefused(Exception):
    """The XML carries a DTD: it is not parsed at all (no entity can expand)."""


def _load_xml(text: str) -> ET.Element | None:
    """Parse XML tolerant of namespaces and truncation: returns the root of whatever was parsed.

    Raises _DTDRefused for any DTD; defusedxml's parser (DTDs and entities forbidden) backs up the check."""
    if _DTD.search(text):
        raise _DTDRefused
    text = _XML_DECL.sub("", text, count=1)  # a declared encoding (utf-16) is moot once decoded
    text = _NS_ATTR.sub("", _PREFIXED_TAG.sub(r"<\1", text))  # local names only; unbound prefixes can't fail
    defused = DefusedXMLParser(target=ET.TreeBuilder(), forbid_dtd=True, forbid_entities=True)
    parser = ET.XMLPullParser(events=("start",), _parser=defused)
    root = None
    try:
        with contextlib.suppress(ET.ParseError):  # feed queues the error; close raises it for truncated input
            parser.feed(text)
            parser.close()
    except DefusedXmlException as exc:
        raise _DTDRefused from exc
    with contextlib.suppress(ET.ParseError):  # the queued error comes after every event parsed before it
        for _event, element in parser.read_events():
            root = element if root is None else root
    return root


def _strip_tags(text: str) -> str:
    return _clean(html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", text))))


# --- JSON shapes ---
def _qbo(errors: list[tuple[str, str, str, str]], fault_type: str) -> _Found:
    """errors: (code, message, detail, element) per Error, in order."""
    texts: list[str] = []
    for _code, msg, detail, _element in errors:
        texts += [msg, detail]
    code, msg, detail, element = errors[0] if errors else ("", "", "", "")
    msg = re.sub(r"^message=([^;]+);.*$", r"\1", msg)  # "message=ThrottleExceeded; errorCode=003001; ..."
    detail = re.sub(r"\s*:\s*null$", "", detail.replace("$$", ""))  # QBO pads empty details with ': null'
    detail = re.sub(r"\s+:\s+", ": ", detail).replace(".: ", ". ")
    if not msg or re.search(r"error has occurred while processing your request", msg, re.I):
        message = detail or msg  # the Detail is the only useful part of a generic Message
    elif detail and detail.lower() != msg.lower():
        rest = detail[len(msg):].lstrip(" :;-") if detail.lower().startswith(msg.lower()) else detail
        message = f"{msg}: {rest}" if rest else msg
    else:
        message = msg
    return _Found("qbo", code or None, texts, [code, fault_type], message or fault_type, _reference(texts, element))


def _qbo_json(fault: dict) -> _Found:
    errors = _ci(fault, "Error")
    errors = (errors if isinstance(errors, list) else [errors])[:_MAX_TEXTS]
    rows = [
        tuple(_clean(_ci(e, n)) for n in ("code", "Message", "Detail", "element")) for e in errors if isinstance(e, dict)
    ]
    return _qbo(rows, _clean(_ci(fault, "type")))


def _xero_messages(obj: object, key: str) -> list[str]:
    out: list[str] = []
    for k, value in _walk(obj, limit=10_000):
        if k == key and isinstance(value, list):
            out += [m for m in (_clean(_ci(v, "Message") if isinstance(v, dict) else v) for v in value[:_MAX_TEXTS]) if m]
            if len(out) >= _MAX_TEXTS:
                break
    return out


def _xero_collection(obj: dict) -> tuple[str, dict] | None:
    """The 'Invoices'/'Payments'/... list of a Xero envelope and its first item."""
    for key, value in obj.items():
        if isinstance(key, str) and key.endswith("s") and isinstance(value, list) and value:
            first = value[0]
            if isinstance(first, dict) and (key[:-1] + "ID" in first or "ValidationErrors" in first):
                return key[:-1], first
    return None


def _xero_envelope(errors: list[str], warnings: list[str], singular: str, ref: str | None, number: str | None) -> _Found:
    if errors:
        return _Found("xero", None, errors, [], _more(errors), _reference(errors))
    message = f"{singular} {number or ref or ''} synced".replace("  ", " ")
    # a warning on a synced document (e.g. an account code Xero dropped) is worth showing
    message += f" (warning: {_more(warnings)})" if warnings else ""
    return _Found("xero", message=message, external_ref=ref, success=True)


def _from_json(obj: object, hint: str | None) -> _Found | None:
    if isinstance(obj, list):
        obj = next((x for x in obj if isinstance(x, dict)), None)  # a batch: its first item speaks for it
    if not isinstance(obj, dict):
        return None
    response = _ci(obj, "response")
    if isinstance(response, dict) and _ci(response, "message") is not None:
        code, msg = _str_or_none(_ci(response, "code")), _clean(_ci(response, "message"))
        if code in ("200", "201") or re.match(r"success", msg, re.I):
            return _Found("connector", code, message=msg or "Synced", success=True)
        return _Found("connector", code, [msg], [code], msg, _reference([msg], _ci(response, "fields")))
    for key, value in _walk(obj):
        if isinstance(key, str) and key.lower() == "fault" and isinstance(value, dict):
            return _qbo_json(value)
    error = _ci(obj, "error")
    if isinstance(error, str) and re.fullmatch(r"[a-z_]+", error):  # OAuth 2 token endpoint codes
        return _oauth(error, _ci(obj, "error_description"), hint)
    if _ci(obj, "ErrorNumber") is not None or isinstance(_ci(obj, "Elements"), list):
        errors = _xero_messages(_ci(obj, "Elements"), "ValidationErrors")
        msg, code = _clean(_ci(obj, "Message")), _str_or_none(_ci(obj, "ErrorNumber"))
        return _Found("xero", code, errors + [msg], [code, _ci(obj, "Type")], _more(errors) if errors else msg,
                      _reference(errors))  # fmt: skip
    details = obj.get("o:errorDetails")
    if isinstance(details, list):  # NetSuite REST problem body
        first = details[0] if details and isinstance(details[0], dict) else {}
        texts = [_clean(d.get("detail")) for d in details if isinstance(d, dict)] + [_clean(_ci(obj, "title"))]
        code = _str_or_none(first.get("o:errorCode")) or _str_or_none(_ci(obj, "status"))
        return _Found("netsuite", code, texts, [code, _ci(obj, "status")], texts[0] or texts[-1], _reference(texts))
    status = _ci(obj, "status")
    title, detail = _clean(_ci(obj, "title")), _clean(_ci(obj, "detail"))
    wrapped = detail[:1] in ("{", "[", "<")  # a hub's "detail" carrying the platform's own document
    if status is not None and (title or detail) and not wrapped:  # problem+json (Xero 401, bank feeds)
        code = _str_or_none(status)
        message = f"{title}: {detail}" if title and detail else title or detail
        return _Found(hint or "xero", code, [detail, title], [code, _ci(obj, "type")], message, _reference([detail]))
    collection = _xero_collection(obj)
    if collection or _ci(obj, "ProviderName") is not None:
        singular, first = collection or ("Document", {})
        ref = _str_or_none(first.get(singular + "ID"))
        number = _str_or_none(first.get(singular + "Number"))
        errors, warnings = _xero_messages(obj, "ValidationErrors"), _xero_messages(obj, "Warnings")
        return _xero_envelope(errors, warnings, singular, ref, number)
    for key, value in obj.items():
        if isinstance(value, dict) and "Id" in value and ("time" in obj or "SyncToken" in value):
            ref, number = _str_or_none(value["Id"]), _str_or_none(value.get("DocNumber"))
            return _Found("qbo", message=f"{key} {number or ref} synced", external_ref=ref, success=True)
    return _generic_json(obj, hint)


_JSON_TEXT_KEYS = frozenset((
    "message", "detail", "details", "error_description", "description", "description2", "errormessage", "error",
    "title", "reason", "faultstring", "providermessage", "error_message", "info", "responsemessage",
    "localisedmessage", "$message", "correction",
))  # fmt: skip
_JSON_CODE_KEYS = ("errorcode", "error_code", "o:errorcode", "errorno", "errornumber", "code", "$datacode",
                   "responsecode", "status", "statuscode")  # fmt: skip
_SCRIPT_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def _generic_json(obj: object, hint: str | None) -> _Found | None:
    """Any JSON (or Python/Ruby literal) error: its human texts in document order, its most specific code."""
    texts, codes = [], {}
    for key, value in _walk(obj, limit=5_000):
        name = str(key).lower() if key is not None else ""
        if isinstance(value, str) and value.strip().startswith("<") and _DOC_START.match(value.strip()):
            found = _structured(value.strip(), hint, 1)  # an XML document escaped inside a JSON string
            if found is not None and not found.success:
                texts += [found.message or "", *found.texts]
                codes.setdefault("nested", found.code)
                continue
        if isinstance(value, str) and value.strip():
            inner = _embedded_json(value)
            if inner is not None:  # a JSON document escaped inside a string: read it in place
                found = _generic_json(inner, hint)
                if found:
                    texts += found.texts
                    codes.setdefault("nested", found.code)
                continue
            if name in _JSON_TEXT_KEYS and not (name == "error" and _OAUTH_CODE.fullmatch(value.strip())):
                if len(texts) < _MAX_TEXTS:
                    texts.append(_clean(value))
            if name == "error" and _OAUTH_CODE.fullmatch(value.strip()):
                codes.setdefault("error", value.strip())
            if name in ("name", "type") and _SCRIPT_CODE.fullmatch(value.strip()):
                codes.setdefault("name", value.strip())
        if name in _JSON_CODE_KEYS and isinstance(value, (str, int)) and not isinstance(value, bool):
            value = str(value).strip()
            if value and (name not in ("status", "statuscode", "responsecode") or value.isdigit()):
                codes.setdefault(name, value)
    order = ("errorcode", "error_code", "o:errorcode", "errorno", "errornumber", "nested", "name", "code",
             "$datacode", "error", "responsecode", "statuscode", "status")  # fmt: skip
    ranked = [codes[k] for k in order if codes.get(k)]
    if not texts and not ranked:
        return None
    code = ranked[0] if ranked else None
    return _Found(hint, code, texts, ranked, _best(texts), _reference(texts))


def _embedded_json(value: str) -> object | None:
    """A JSON object/array carried as a string value ({"message": "{\"type\": ...}"}), else None."""
    value = value.strip()
    if len(value) < 8 or value[0] not in "{[" or value[-1] not in "}]" or len(value) > 200_000:
        return None
    with contextlib.suppress(ValueError, RecursionError):
        obj = json.loads(value)
        return obj if isinstance(obj, (dict, list)) else None
    return None


# --- XML shapes (namespaces already stripped: tags are local names) ---
def _child(el: ET.Element | None, name: str) -> ET.Element | None:
    children = el if el is not None else ()
    return next((c for c in children if isinstance(c.tag, str) and c.tag.lower() == name.lower()), None)


def _text(el: ET.Element | None, name: str | None = None) -> str:
    target = _child(el, name) if name else el
    return _clean("".join(target.itertext())) if target is not None else ""


def _all(el: ET.Element, name: str) -> list[ET.Element]:
    name = name.lower()
    return [e for e in el.iter() if isinstance(e.tag, str) and e.tag.lower() == name]


def _from_xml(root: ET.Element, hint: str | None) -> _Found | None:
    tag = root.tag.lower() if isinstance(root.tag, str) else ""
    fault = root if tag == "fault" else next(iter(_all(root, "Fault")), None) if tag == "intuitresponse" else None
    if fault is not None:
        if _child(fault, "faultstring") is None:  # a SOAP fault is NetSuite's, below
            rows = [(e.get("code", ""), _text(e, "Message"), _text(e, "Detail"), e.get("element", ""))
                    for e in _all(fault, "Error")]  # fmt: skip
            return _qbo(rows, fault.get("type", ""))
    if tag == "intuitresponse":
        entity = next((c for c in root if _child(c, "Id") is not None), None)
        if entity is not None:
            ref, number = _text(entity, "Id") or None, _text(entity, "DocNumber")
            return _Found("qbo", message=f"{entity.tag} {number or ref} synced", external_ref=ref, success=True)
    if tag == "apiexception":
        errors = [_text(v, "Message") for v in _all(root, "ValidationError") if _text(v, "Message")]
        msg, code = _text(root, "Message"), _text(root, "ErrorNumber") or None
        return _Found("xero", code, errors + [msg], [code, _text(root, "Type")], _more(errors) if errors else msg,
                      _reference(errors))  # fmt: skip
    if tag == "response" and any(_child(root, n) is not None for n in ("control", "operation", "errormessage")):
        return _intacct(root)
    old_errors = [e for e in _all(root, "Error") if _text(e, "Description") or _text(e, "Message")]
    if tag == "response" and old_errors:  # Xero's older <Response><Errors><Error><Description>…
        texts = [_text(e, "Description") or _text(e, "Message") for e in old_errors]
        kinds = [_text(e, "ExceptionType").rsplit(".", 1)[-1] for e in old_errors]
        return _Found("xero", None, texts, kinds, texts[0], _reference(texts))
    if tag == "response" and _child(root, "Status") is not None:
        errors = [_text(v, "Message") for v in _all(root, "ValidationError") if _text(v, "Message")]
        collection = next((c for c in root if len(c) and c.tag.endswith("s")), None)
        first = collection[0] if collection is not None else None
        singular = first.tag if first is not None else "Document"
        warnings = [_text(v, "Message") for v in _all(root, "Warning") if _text(v, "Message")]
        return _xero_envelope(errors, warnings, singular, _text(first, singular + "ID") or None,
                              _text(first, singular + "Number") or None)  # fmt: skip
    if tag == "envelope" or _all(root, "faultstring") or any("isSuccess" in e.attrib for e in root.iter()):
        return _netsuite(root, hint)
    if tag in ("html", "head", "body"):
        return None
    texts = [_text(e) for n in ("message", "description", "detail", "error", "faultstring") for e in _all(root, n)]
    code = next((_text(e) for n in ("code", "errorno", "errornumber") for e in _all(root, n) if _text(e)), None)
    texts = [t for t in texts if t] or [_text(root)]
    return _Found(hint, code, texts, [code], texts[0] or None, _reference(texts))


def _intacct(root: ET.Element) -> _Found:
    errors = [e for em in _all(root, "errormessage") for e in em if isinstance(e.tag, str) and e.tag == "error"]
    statuses = [_text(s).lower() for s in _all(root, "status")]
    if errors:
        texts = [_text(e, n) for e in errors for n in ("description2", "description", "correction")]
        first = errors[0]
        parts = [p for p in (_text(first, "description"), _text(first, "description2"), _text(first, "correction")) if p]
        code = _text(first, "errorno") or None
        return _Found("intacct", code, texts, [code], "; ".join(parts) or code, _reference(texts))
    if any(s in ("failure", "aborted") for s in statuses):
        return _Found("intacct", None, [], [], "Request failed without an error message")
    key = next((_text(e) for n in ("key", "RECORDNO") for e in _all(root, n) if _text(e)), None)
    function = next((_text(e) for e in _all(root, "function") if _text(e)), "Request")
    message = f"{function} succeeded" + (f": {key}" if key else "")
    return _Found("intacct", message=message, external_ref=key, success=True)


def _netsuite(root: ET.Element, hint: str | None) -> _Found:
    fault = next(iter(_all(root, "Fault")), None)
    if fault is not None:
        detail = _child(fault, "detail")
        code = next((_text(e) for e in _all(detail, "code") if _text(e)), None) if detail is not None else None
        detail_msg = next((_text(e) for e in _all(detail, "message") if _text(e)), "") if detail is not None else ""
        faultstring, faultcode = _text(fault, "faultstring"), _text(fault, "faultcode")
        # the detail's code/message are specific; faultstring is sometimes stale boilerplate
        platform = hint if hint and not code else "netsuite"
        return _Found(platform, code or faultcode or None, [detail_msg, faultstring], [code, faultcode],
                      detail_msg or faultstring, _reference([detail_msg]))  # fmt: skip
    statuses = [e for e in root.iter() if "isSuccess" in e.attrib]
    failed = next((s for s in statuses if s.get("isSuccess", "").lower() != "true"), None)
    if failed is not None:
        details = _all(failed, "statusDetail")
        errors = [d for d in details if d.get("type", "ERROR").upper() == "ERROR"] or details
        texts = [_text(d, "message") for d in errors]
        code = _text(errors[0], "code") if errors else ""
        return _Found("netsuite", code or None, texts, [code], texts[0] if texts else "Request failed",
                      _reference(texts))  # fmt: skip
    if statuses:
        ref_el = next((e for e in root.iter() if "internalId" in e.attrib), None)
        ref = ref_el.get("internalId") if ref_el is not None else None
        kind = ref_el.get("type", "record") if ref_el is not None else "record"
        return _Found("netsuite", message=f"{kind} {ref or ''} synced".replace("  ", " "), external_ref=ref,
                      success=True)  # fmt: skip
    return _Found(hint, None, [_text(root)], [], _text(root))


# --- Form-encoded and plain text ---
_FORM = re.compile(r"[\w.\-]+=[^&\s]*(?:&[\w.\-]+=[^&\s]*)*")


def _from_form(text: str, hint: str | None) -> _Found | None:
    if len(text) > 10_000 or not _FORM.fullmatch(text.strip()):
        return None
    pairs = {k.lower(): v for k, v in parse_qsl(text.strip(), keep_blank_values=True)}
    problem, error = pairs.get("oauth_problem"), pairs.get("error")
    if problem:  # OAuth 1 bodies come from Xero
        advice = _clean(pairs.get("oauth_problem_advice", ""))
        message = problem.replace("_", " ") + (f": {advice}" if advice else "")
        return _Found(hint or "xero", problem, [problem, advice], [problem, "oauth_problem"], message)
    return _oauth(error, pairs.get("error_description"), hint) if error else None


def _oauth(error: str, description: object, hint: str | None) -> _Found:
    desc = _clean(description)
    return _Found(hint, error, [desc, error], [error], desc or error)


def _guess_platform(text: str) -> str | None:
    return next((p for p, rx in _TEXT_PLATFORMS if rx.search(text[:_MAX_RULE_TEXT])), None)


# --- Plain text, exception dumps and documents embedded in text ---
_OAUTH_CODE = re.compile(r"invalid_grant|invalid_client|unauthori[sz]ed_client|invalid_request|invalid_scope|"
                         r"unsupported_grant_type|access_denied|invalid_token|temporarily_unavailable|server_error|"
                         r"slow_down")  # fmt: skip
_TEXT_CODES = [
    (re.compile(r"errorCode=0*(\d+)"), "qbo"),
    (re.compile(r"\b(XMLGW_\w+|UJPP\d+|(?:BL|XL|PL|GW)\d{8})\b"), "intacct"),
    (re.compile(r"\b(" + _OAUTH_CODE.pattern + r")\b"), None),
    (re.compile(r"(?i:error code(?: is)?):?\s*\(?(-?\d{3,5})\b"), None),  # "The Intuit Error Code is: 6000"
    (re.compile(r"(?:^|(?i:\berror)\s+|\[)(-?\d{3,5})\s*(?:[:\-\])]\s|:\s*\[)"), None),  # "Error 2500: [...]"
    (re.compile(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b(?=\s+(?:-\s|:|error\b))"), "netsuite"),
    (re.compile(r"^\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:\s*[-:]\s|\s*$|\s+(?=[A-Z][a-z]))"), "netsuite"),
    (re.compile(r"^\s*(?:HTTP/\d(?:\.\d)?\s+)?([1-5]\d\d)\s+[A-Z]"), None),  # a bare HTTP status line
    (re.compile(r"(?:status(?: ?code)?|response code)\s*(?:is)?\s*[:=\[(]?\s*(?:\[)?([1-5]\d\d)\b", re.I), None),
    (re.compile(r"\b(?:unauthorized|forbidden)-([1-5]\d\d)\b", re.I), None),
]  # fmt: skip
# key/value pairs in dumps that are not JSON: Python/JS literals, Ruby hashes, log lines, .NET exception text
_KV = re.compile(
    r"""(?:^|[\s{,(\[;&])["':]?(?P<key>[A-Za-z$][\w:$]{1,30})["']?\s*(?:=>|:|=)\s*"""
    r"""(?:"(?P<dq>(?:[^"\\]|\\.){1,600})"|'(?P<sq>(?:[^'\\]|\\.){1,600})'|(?P<bare>[^\s,;}\]"'][^,;}\]\n]{0,300}))""")
_KV_TEXT_KEYS = _JSON_TEXT_KEYS | {"error_detail", "error_message", "errormessage", "statustext"}
_KV_CODE_KEYS = ("errorcode", "error_code", "o:errorcode", "errorno", "errornumber", "code", "name", "error")
# a message that says nothing of its own: the wrapper's words around the platform's real message
_GENERIC = re.compile(
    r"(?:bad ?request|error|an error (?:has )?occurred|request failed|validation error|validation exception was "
    r"thrown|a validation exception occurred|a business validation error has occurred while processing your request|"
    r"unauthori[sz]ed|forbidden|not found|internal server error|invalid request|failed|"
    r"result status: failure for control id\b.*|[1-5]\d\d(?: [a-z ]+)?|http status code \[\d+\].*|"
    r"the status code is.*|some ?thing went wrong|unknown error|method not allowed|\{|\[|:)", re.I)
_DOC_START = re.compile(r"""<\?xml|<(?:IntuitResponse|Fault|ApiException|Response|response|soapenv:Envelope|"""
                        r"""soap:Envelope|ValidationErrors|errormessage)\b|\{\s*["':]|\[\s*\{\s*["':]""")
_STACK_CUT = re.compile(r"\s+(?:at\s+(?:new\s+)?[\w$.<>\[\]]+\s*[.(]|#\d+\s|in\s+/\S+\s+on line|in\s+[A-Z]:\\|thrown in\b|"
                        r"Stack trace:|\(most recent call)|\s*\[Support ID:[^\]]*\]")
_EXC_PREFIX = re.compile(r"^(?:(?:PHP\s+)?Fatal error:\s*(?:Uncaught\s+)?|Uncaught\s+|Error:\s+|"
                         r"[\w$.\\:]*(?:Exception|Error|Fault)(?:\s\[Error\]|\s+exception)?\s*:\s+(?:\[[\w:.]+\]\s+)?|"
                         r"\([\w:.]+\)\s*|[\w$]+(?:\.[\w$]+)+:\s+|"
                         r"Result status: failure for Control ID:?\s*\S*\s*-\s*|"
                         r"\d{4}-\d\d-\d\d[ T][\d:.]+\s+(?:error\s+)?|Status\s*:\s*[\d.]+,?\s*|"
                         r"Script: .*? Error: [A-Z_]+\s+|(?:QuickBooks Error: )?Validation Exception was thrown\.\s*Details:\s*)")  # fmt: skip


_JSON_KEY = re.compile(r"""["']?[\w$:]+["']?\s*(?:=>|:)\s*(?=["'{\[\d]|true|false|null)""")
_JSON_PUNCT = re.compile(r"""[{}\[\]"]|(?<=\s)'|'(?=\s|,|$)|\s,""")


_QBO_MESSAGE = re.compile(r"message=(\w+);\s*errorCode=")
_PY_FRAME = re.compile(r'^\s*File "[^"]+", line \d+', re.M)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _decamel(word: str) -> str:
    """"ApplicationAuthenticationFailed" reads "Application authentication failed"."""
    if not re.fullmatch(r"(?:[A-Z][a-z]+){2,}", word):
        return word
    parts = _CAMEL.split(word)
    return " ".join([parts[0], *(p.lower() for p in parts[1:])])


@lru_cache(maxsize=1024)
def _humanise(text: str) -> str:
    """The human sentence in an exception dump: no class names, stack frames, escapes or trailing documents."""
    text = text[-5_000:] if _PY_FRAME.search(text[-5_000:]) else text[:5_000]
    text = text.replace("\\r", " ").replace("\\n", " ").replace("\\t", " ").replace('\\"', '"').replace("\\'", "'")
    qbo = _QBO_MESSAGE.search(text)
    if qbo:  # "message=ApplicationAuthenticationFailed; errorCode=003200; statusCode=401"
        return _decamel(qbo.group(1))
    if "Traceback (most recent call last)" in text or _PY_FRAME.search(text):  # the last unindented line
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln[:1].isspace()]
        text = lines[-1] if lines else text
    text = _clean(text)
    if _DOC_START.match(text):  # a document no parser could read: keep its words, drop its keys and punctuation
        text = _clean(_JSON_PUNCT.sub(" ", _JSON_KEY.sub(" ", text)))
    for _ in range(4):
        stripped = _EXC_PREFIX.sub("", text, count=1)
        if stripped == text or not stripped:
            break
        text = stripped
    cut = _STACK_CUT.search(text)
    text = text[: cut.start()] if cut and cut.start() > 0 else text
    doc = _DOC_START.search(text)
    text = text[: doc.start()] if doc and doc.start() > 0 else text
    text = text.strip(" \t:;,-").rstrip(" \t:;,-[(")
    for opener, closer in (('"', '"'), ("'", "'"), ("[", "]"), ("(", ")"), ("{", "}")):
        if text.startswith(opener) and text.count(closer) < (2 if opener == closer else 1):
            text = text[1:].lstrip()
        if text.endswith(closer) and text.count(opener) < (2 if opener == closer else 1):
            text = text[:-1].rstrip()
    return text


def _is_generic(text: str) -> bool:
    return not text or bool(_GENERIC.fullmatch(text.strip(" .:;!-")))


def _best(texts: list[str]) -> str | None:
    """The first text that says something of its own, humanised; else the first text at all."""
    human = [_humanise(t) for t in texts[:_MAX_TEXTS] if t]
    specific = (h for h in human if not _is_generic(h) and not _DOC_START.match(h) and not _DUMPISH.search(h))
    return next(specific, next(iter(human), None))


def _scavenge(text: str, hint: str | None) -> _Found | None:
    """Messages and codes from a dump that no parser reads (Python/JS/Ruby literals, log lines, .NET text)."""
    texts: list[str] = []
    codes: dict[str, str] = {}
    for match in _KV.finditer(text[:_MAX_RULE_TEXT]):
        key = match.group("key").lower().lstrip(":$").removeprefix("o:")
        value = (match.group("dq") or match.group("sq") or match.group("bare") or "").strip()
        value = value.replace('\\"', '"').replace("\\'", "'")
        if not value or value.lower() in ("null", "nil", "none", "''", '""'):
            continue
        if key == "error" and _OAUTH_CODE.fullmatch(value):
            codes.setdefault("error", value)
        elif key in _KV_CODE_KEYS and key != "error":
            if re.fullmatch(r"-?[\w.]{1,60}", value) and (key != "name" or _SCRIPT_CODE.fullmatch(value)):
                codes.setdefault(key, value)
        elif key in _KV_TEXT_KEYS and _SCRIPT_CODE.fullmatch(value):
            codes.setdefault("name", value)  # "Error: JS_EXCEPTION" names a code, says nothing
        elif key in _KV_TEXT_KEYS and len(value) > 3 and not value.startswith(("{", "[", "<")):
            texts.append(_clean(value))
            if len(texts) >= _MAX_TEXTS:
                break
    ranked = [codes[k] for k in _KV_CODE_KEYS if codes.get(k)]
    ranked = [c for c in ranked if not c.startswith(("message=", "{"))]
    if not texts and not ranked:
        return None
    return _Found(hint, ranked[0] if ranked else None, texts, ranked, _best(texts), _reference(texts))


_HTTP_STATUS = re.compile(r"[1-5]\d\d")


def _specific_code(text: str) -> str | None:
    """A platform code quoted in a message (an Intacct BL number, a QBO errorCode, an OAuth error)."""
    for rx, _owner in _TEXT_CODES[:3]:
        match = rx.search(text[:_MAX_RULE_TEXT])
        if match:
            return match.group(1)
    return None


def _text_code(text: str) -> tuple[str | None, str | None]:
    for rx, owner in _TEXT_CODES:
        match = rx.search(text[:_CODE_WINDOW])
        if match:
            return match.group(1), owner
    return None, None


def _from_text(original: str, hint: str | None) -> _Found:
    # HTML error pages, or XML too broken to parse, are read for their text
    text = _strip_tags(original) if original.lstrip().startswith("<") else _clean(original)
    code, platform = _text_code(text if original.lstrip().startswith("<") or "\n" not in original else original)
    platform = hint or platform or _guess_platform(original)
    if _SUCCESS_TEXT.fullmatch(text):
        return _Found(platform, message=text, success=True)
    message = _humanise(original) if not original.lstrip().startswith("<") else _page_message(original, text)
    if not message and original.lstrip().startswith("<"):
        message = _EMPTY_PAGE
    return _Found(platform, code, [message, text], [code], message or text, _reference([text]))


def _page_message(page: str, text: str) -> str:
    """An HTML error page: its title, then what the page says besides repeating it."""
    match = _HTML_TITLE.search(page[:_MAX_RULE_TEXT])
    if not match:
        return text
    title = _clean(html.unescape(match.group(2)))
    rest = text
    headings = {_clean(html.unescape(m.group(2))) for m in _HTML_TITLE.finditer(page[:_MAX_RULE_TEXT])}
    for heading in sorted(headings, key=len, reverse=True):
        rest = rest.replace(heading, " ")  # the title again, and headings that repeat it
    rest = _clean(rest)
    return f"{title}: {rest}" if rest else title


def _weak(found: _Found | None) -> bool:
    """Nothing specific was read: no code and only wrapper words (a hub's "Bad Request" around the real error)."""
    if found is None:
        return True
    if found.success or found.message == _DTD_REFUSED:
        return False
    best = _best([found.message or "", *found.texts]) or ""
    return _is_generic(best) or bool(_DOC_START.match(best)) or (found.code is None and _rule(best) is None)


def _embedded(work: str, hint: str | None) -> _Found | None:
    """A JSON/XML error document inside a text (an exception's "with body: [...]", an escaped string)."""
    variants = [work]
    if '\\"' in work:
        variants.append(work.replace('\\\\', '\\').replace('\\"', '"').replace("\\n", "\n"))
    for variant in variants:
        starts = [m.start() for m in _DOC_START.finditer(variant[:_MAX_RULE_TEXT])]
        if variant is work and work[:1] in "{[<":  # its inner objects are the same document, already read
            continue
        for start in [i for i in starts if i or variant is not work][:3]:
            found = _structured(variant[start:], hint, 1)
            if found is not None and not found.success and not _weak(found):
                return found
    return None


_DUMPISH = re.compile(r"=>|<\w+>|[{}]|\\\\")
_HTML_TITLE = re.compile(r"<(title|h1)>\s*([^<]{3,200}?)\s*</\1>", re.I)


def _html_title(work: str, hint: str | None) -> _Found | None:
    """An HTML error page quoted inside a dump: its title ("503 Service Temporarily Unavailable")."""
    match = _HTML_TITLE.search(work[:_MAX_RULE_TEXT])
    if not match:
        return None
    title = _clean(html.unescape(match.group(2)))
    code, _owner = _text_code(title)
    return _Found(hint, code, [title], [code], title)


def _merge(outer: _Found | None, inner: _Found) -> _Found:
    """The inner (platform's) finding, with what only the wrapper knew (a code, the platform, the reference)."""
    if outer is None:
        return inner
    return _Found(
        platform=inner.platform or outer.platform, code=inner.code or outer.code, texts=inner.texts + outer.texts,
        keys=inner.keys + outer.keys, message=inner.message if not _is_generic(inner.message or "") else outer.message,
        reference=inner.reference or outer.reference, external_ref=inner.external_ref, success=inner.success,
    )  # fmt: skip


# --- Entry point ---
def _structured(work: str, hint: str | None, depth: int = 0) -> _Found | None:
    """A JSON/XML body, also double-encoded, a Python/Ruby literal, or behind a short prefix; None when none."""
    if work[:1] in "{[":
        obj = _load_json(work)
        if obj is None:
            obj = _load_literal(work)
        if obj is None:
            return None
        found = _from_json(obj, hint)
        if found is not None and not found.success and _weak(found):
            found = _merge(found, _generic_json(obj, hint) or found)
        return found
    if work[:1] == "<":
        try:
            root = None if _HTML.match(work) else _load_xml(work)
        except _DTDRefused:
            return _Found(hint, None, [], [], _DTD_REFUSED)
        return _from_xml(root, hint) if root is not None else None
    if depth:
        return None
    if work[:1] == '"':
        obj = _load_json(work)  # JSON stored as a JSON string
        inner = obj.strip() if isinstance(obj, str) else ""
        return (_structured(inner, hint, 1) or _from_form(inner, hint) or _from_text(inner, hint)) if inner else None
    # "400 Bad Request: {...}"
    start = min((i for i in (work.find("{"), work.find("<")) if 0 < i <= 200), default=-1)
    found = _structured(work[start:], hint, 1) if start > 0 else None
    return found if found is not None and not _weak(found) else None


_RUBY_KEY = re.compile(r":(\w+)\s*=>")
_LITERAL_START = re.compile(r"""[\[{]\s*(?:[\[{]\s*)?(?:u?'|:\w+\s*=>)""")


def _load_literal(text: str) -> object:
    """A Python repr ({'a': 'b'}) or a Ruby hash ({:a=>"b"}) read as data, never evaluated; None otherwise."""
    if len(text) > 50_000 or not _LITERAL_START.match(text):
        return None
    end = _balanced_end(text)
    snippet = text[:end] if end else text
    with contextlib.suppress(ValueError, SyntaxError, TypeError, MemoryError, RecursionError), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "invalid escape sequence" in a quoted Windows path is not our concern
        return ast.literal_eval(snippet)
    if "=>" in snippet:
        converted = _RUBY_KEY.sub(r'"\1":', snippet).replace("=>", ":").replace(":nil", ":null")
        with contextlib.suppress(ValueError, RecursionError):
            return json.loads(re.sub(r":\s*nil\b", ": null", converted))
    return None


def _balanced_end(text: str) -> int:
    """Index just past the bracket that closes text[0], quotes respected; 0 when it never closes."""
    depth, quote, escaped = 0, "", False
    for i, ch in enumerate(text[:50_000]):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
    return 0


def _detect(work: str, hint: str | None) -> _Found:
    found = _structured(work, hint) or _from_form(work, hint)
    if found is not None and found.message == _DTD_REFUSED:
        return found
    if _weak(found):
        deeper = _embedded(work, hint) if not work.startswith("<") else None
        if not work.startswith("<"):  # a page itself is read whole by _from_text; a title helps inside a dump
            deeper = deeper or _scavenge(work, hint) or _html_title(work, hint)
        if deeper is not None and not _weak(deeper):
            found = _merge(found, deeper)
        elif found is None:
            found = _from_text(work, hint)
            if deeper is not None and (_weak(found) or _DUMPISH.search(found.message or "")):
                found = _merge(found, deeper)
                found.message = deeper.message or found.message  # an HTML title beats a dump's leftovers
    if found.code and _HTTP_STATUS.fullmatch(found.code) and not found.success:
        specific = next((c for c in map(_specific_code, [found.message or "", *found.texts]) if c), None)
        found.code = specific or found.code
        found.keys.insert(0, specific)
    if found.code is None and not found.success:  # a code quoted in the platform's message, else in the body
        quoted = next((hit for hit in map(_text_code, [found.message or "", *found.texts][:_MAX_TEXTS]) if hit[0]),
                      None)  # fmt: skip
        found.code, owner = quoted or _text_code(work)
        found.keys.append(found.code)
        found.platform = found.platform or owner
    if found.platform is None and not found.success:
        found.platform = hint or _guess_platform(work)  # e.g. a NetSuite fragment with no envelope
    return found


def _normalise_platform(platform: object) -> str | None:
    return _PLATFORM_ALIASES.get(platform.strip().lower()) if isinstance(platform, str) else None


_WHAT = [
    ("item", r"itemref|\bitems?\b|product|service item"), ("account", r"accountref|\baccounts?\b|account code"),
    ("customer", r"customerref|\bcustomers?\b"), ("vendor", r"vendorref|\bvendors?\b|supplier"),
    ("contact", r"contact(?:id)?\b"), ("employee", r"employeeref|\bemployees?\b"),
    ("tax code", r"taxcoderef|tax ?(?:code|rate|type)"), ("class", r"classref"),
    ("department", r"departmentref|\bdepartments?\b"), ("project", r"\bprojects?\b"),
    ("subsidiary", r"subsidiar"), ("payment type", r"payment (?:type|method)"),
]  # fmt: skip
_WHAT_RX = [(what, re.compile(rx, re.I)) for what, rx in _WHAT]
_REF_HINTS = {
    "reference_inactive_or_deleted": "Re-activate the {0} in the accounting platform or map the document to another "
                                     "{0}, then resync.",
    "mapping_missing": "Map the {0} to one in the accounting platform, then resync.",
}


def _what(texts: list[str]) -> str | None:
    """The kind of record a reference failure is about (item, account, ...), when the response says so."""
    for text in texts:
        hits = [what for what, rx in _WHAT_RX if rx.search(text[:2_000])]
        if hits and len(hits) <= 2:  # "check accounts, customers, items, vendors or employees" names none
            return hits[0]
    return None


def _fix_hint(category: str, meaning: CodeMeaning | None, texts: list[str]) -> str:
    if category in _REF_HINTS:
        what = _what(texts)
        if what:
            return _REF_HINTS[category].format(what)
    if meaning is not None and meaning.hint and meaning.category == category:
        return meaning.hint
    return FIX_HINTS[category]


def _build(found: _Found, raw: str) -> ParsedResponse:
    texts = [t for t in found.texts if t]
    if found.success:
        category, meaning = SUCCESS, None
    else:
        category, meaning = _categorise(found.platform, [found.message or "", *texts], found.keys)
    message = found.message or (texts[0] if texts else "")
    if not found.success:
        message = _best([message, *texts]) or _humanise(raw)
        if found.code and message.startswith(found.code + " ") and len(message) > len(found.code) + 8:
            message = _humanise(message[len(found.code):].lstrip(" ,:-"))  # "INSUFFICIENT_PERMISSION Permission…"
    message = _decamel(_clip(message or _humanise(raw) or raw)) or _NO_RESPONSE
    hint_texts = [found.reference or "", *texts] if category in _REF_HINTS else texts
    return ParsedResponse(
        platform=found.platform, code=found.code or None, category=category, message=message,
        reference=None if found.success else found.reference, retryable=RETRYABLE[category],
        fix_hint=_fix_hint(category, meaning, hint_texts), external_ref=found.external_ref if found.success else None,
        raw=raw,
    )  # fmt: skip


def parse_response(raw: str | bytes | None, platform: str | None = None) -> ParsedResponse:
    """Parse a raw platform/connector answer into a ParsedResponse. Never raises."""
    hint = _normalise_platform(platform)
    text = ""
    try:
        text = _decode(raw)
        work = text[:MAX_PARSE_CHARS].lstrip("\ufeff \t\r\n\x00").rstrip()
        if not work:
            return _build(_Found(hint, message=_NO_RESPONSE), text)
        return _build(_detect(work, hint), text)
    except Exception:  # a parser bug must never break a report: fall back to the raw text
        message = _clip(text if isinstance(text, str) else "") or _NO_RESPONSE
        return ParsedResponse(hint, None, "unknown", message, None, False, FIX_HINTS["unknown"], None,
                              text if isinstance(text, str) else "")  # fmt: skip
