"""Response messages: turn what an accounting platform (or our connector) answered into what failed, why
(category), which field/reference, and what to do. Handles connector JSON/text, QBO faults (JSON, lower-case,
XML), Xero (ApiException JSON/XML, envelopes, problem+json, OAuth1 form bodies), OAuth errors, Sage Intacct XML,
NetSuite SOAP/REST and plain text. `parse_response` never raises. See DOMAIN.md, "Response messages".
"""

from __future__ import annotations

import codecs
import contextlib
import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from syncstatus.schema import FAILURE_CATEGORIES

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "FIX_HINTS", "RETRYABLE", "SUCCESS", "ParsedResponse", "parse_response"]

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
_MAX_RULE_TEXT = 20_000  # regex rules look at this much of any one text
_MESSAGE_CHARS = 300
_NO_RESPONSE = "No response recorded"


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
                        r"mapping (?:is )?(?:missing|not found)|(?:is )?not mapped\b|please map\b"),
    # before authorization: QBO throttling arrives as statusCode=403
    ("rate_limit", r"throttl|rate[ _-]?limit|too many requests|request limit|retry-after|"
                   r"one request may be made against a session|concurrent (?:request|session|connection)|"
                   r"(?:concurrency|daily|minute|api|call) limit|concur_session|\bslow_down\b"),
    # before the not-found rules: "could not find resource" inside a system failure is an outage
    ("platform_unavailable", r"unhandled (?:error|exception)|internal server error|service (?:is )?(?:temporarily )?"
                             r"unavailable|system failure|application error has occurred|bad gateway|gateway "
                             r"time-?out|temporarily_unavailable|\bserver_error\b|under maintenance|"
                             r"organisation is offline|unexpected_error|timed out|connection (?:reset|refused|aborted)"),
    ("subscription", r"demo company|invalid company status|subscription (?:has )?(?:expired|ended|lapsed|"
                     r"cancel+ed|inactive|suspended)|(?:expired|cancel+ed|suspended) subscription|"
                     r"trial (?:period )?(?:has )?expired|company (?:has )?expired|account (?:is |has been )?suspended"),
    ("authorization", r"token (?:has been |is )?(?:expired|revoked|invalid)|token_?expired|tokenexpired|"
                      r"token_rejected|invalid_grant|invalid_client|unauthori[sz]ed|authentication ?failed|"
                      r"authentication ?unsuccessful|authentication (?:error|required)|authorization ?failed|"
                      r"sign-?in information is incorrect|incorrect\b.{0,40}\b(?:password|credentials|user ?id)|"
                      r"invalid (?:login|credentials|email address|password|"
                      r"user ?name)|login (?:failed|credentials)|insufficient permission|permission violation|"
                      r"access[ _]denied|\bforbidden\b|signature_invalid"),
    ("period_locked", r"lock date|period (?:is )?(?:closed|locked)|closed (?:accounting )?period|books are closed|"
                      r"closing date|locked period|period .{0,30}\bhas been closed"),
    ("document_state", r"can only be (?:made|applied) against|cannot be (?:edited|changed|modified|voided)|"
                       r"not modifiable|not of valid status for modification|(?:has been|is already|already "
                       r"been) (?:voided|paid|deposited|reconciled)|deposited transaction|locked for editing"),
    ("stale_object", r"stale object|stale (?:data|token)|synctoken|working on this at the same time|"
                     r"modified by (?:another|someone)|has (?:been )?changed since"),
    ("duplicate", r"duplicate|must be unique|already (?:exists|in use|assigned|been used|used)|not unique|"
                  r"unique constraint"),
    # a bad query or an unknown object *type* is a request problem, not a deleted record
    ("validation", r"object definition \S+ not found|invalid query|unsupported property|unrecognized field"),
    ("reference_inactive_or_deleted", r"made inactive|(?:is|been|was|are) (?:inactive|archived|deleted|removed)|"
                                      r"\barchived\b|\bdeleted\b|not found|could not be found|could ?not find|"
                                      r"cannot find|does ?n[o']t exist|no longer exists|invalid reference|"
                                      r"reference key|specified key is invalid|not a recognised account"),
    ("validation", r"must equal|debits?\b.{0,60}\bcredits?|out of balance|not balanced|exceed|length|too long|"
                   r"maximum|required|must be (?:specified|provided|entered)|please enter value|\binvalid\b|"
                   r"not (?:a |of )?valid|illegal|cannot be (?:empty|blank|negative|zero)|must be\b"),
]
_COMPILED_RULES = [(cat, re.compile(rx, re.I | re.S)) for cat, rx in _TEXT_RULES]

# Codes (and fault/exception type names), per platform; keys are lower-case.
_CODE_RULES: dict[str, dict[str, str]] = {
    "qbo": {
        "6140": "duplicate", "6240": "duplicate", "610": "reference_inactive_or_deleted",
        "2500": "reference_inactive_or_deleted", "5010": "stale_object", "6210": "period_locked",
        "6000": "validation", "6540": "document_state", "6190": "subscription", "3200": "authorization",
        "100": "authorization", "3100": "authorization", "3001": "rate_limit", "10000": "platform_unavailable",
        "2010": "validation", "2020": "validation", "2030": "validation", "2050": "validation",
        "2080": "validation", "4000": "validation", "4001": "validation",
        "authentication": "authorization", "authenticationfault": "authorization",
        "authorizationfault": "authorization", "systemfault": "platform_unavailable",
        "validationfault": "validation",
    },
    "xero": {
        "10": "validation", "validationexception": "validation", "notfoundexception": "reference_inactive_or_deleted",
        "organisationofflineexception": "platform_unavailable", "unauthorisedexception": "authorization",
        "token_expired": "authorization", "token_rejected": "authorization",
    },
    "intacct": {
        "pl04000055": "subscription", "xmlgw_jpp0002": "authorization", "query failed": "validation",
    },
    "netsuite": {
        "invalid_key_or_ref": "reference_inactive_or_deleted", "invalid_initialize_ref": "reference_inactive_or_deleted",
        "user_error": "validation", "invalid_fld_value": "validation", "ws_concur_session_disallwd": "rate_limit",
        "ws_request_blocked": "rate_limit", "sss_request_limit_exceeded": "rate_limit",
        "invalid_login_credentials": "authorization", "invalid_login": "authorization",
        "insufficient_permission": "authorization", "dup_entity": "duplicate", "dup_rcrd": "duplicate",
        "unexpected_error": "platform_unavailable", "rcrd_has_been_changed": "stale_object",
    },
    "connector": {"451": "mapping_missing"},
}  # fmt: skip
# OAuth error codes and HTTP statuses mean the same everywhere
_COMMON_CODES: dict[str, str] = {
    "invalid_grant": "authorization", "invalid_client": "authorization", "unauthorized_client": "authorization",
    "access_denied": "authorization", "invalid_token": "authorization", "temporarily_unavailable": "platform_unavailable",
    "server_error": "platform_unavailable", "slow_down": "rate_limit",
    "400": "validation", "401": "authorization", "403": "authorization", "404": "reference_inactive_or_deleted",
    "429": "rate_limit", "500": "platform_unavailable", "502": "platform_unavailable",
    "503": "platform_unavailable", "504": "platform_unavailable",
}  # fmt: skip

# Platform signatures for bodies without a recognisable structure (plain text, broken JSON/XML).
_TEXT_PLATFORMS = [
    ("connector", re.compile(r"didn'?t match with mapped value|please add (?:a )?(?:credit|debit)", re.I)),
    ("qbo", re.compile(r"intuit|quickbooks|errorcode=\d+|\$\$\w+\$\$|\"fault\"\s*:", re.I)),
    ("intacct", re.compile(r"intacct|(?-i:\bXMLGW_\w+|\b[A-Z]{2}\d{8}\b)|<errormessage>", re.I)),
    ("netsuite", re.compile(r"netsuite|platformCore|platformFaults|(?-i:^\s*[A-Z]+(?:_[A-Z]+)+\s+[-:]\s)", re.I)),
    ("xero", re.compile(r"\bxero\b|oauth_problem|authorised documents|lock date|not of valid status|"
                        r"credit note allocated|has been archived|\"ErrorNumber\"|ApiException", re.I)),
]  # fmt: skip
_TEXT_CODES = [
    (re.compile(r"errorCode=0*(\d+)"), "qbo"),
    (re.compile(r"\b(XMLGW_\w+|[A-Z]{2}\d{8})\b"), "intacct"),
    (re.compile(r"^\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:\s*[-:]\s|\s*$)"), "netsuite"),
    (re.compile(r"^\s*(?:HTTP/\d(?:\.\d)?\s+)?([1-5]\d\d)\s+[A-Z]"), None),  # a bare HTTP status line
]
_QUOTED = re.compile(r"(?<![\w'])'([^'\n]{1,80}?)'(?!\w)|\"([^\"\n]{1,80}?)\"")
_REF_AFTER = re.compile(r"\binvalid reference (?:key |id )?#?:?\s*([\w-]*\d[\w-]*)", re.I)
_SUCCESS_TEXT = re.compile(r"(?:ok|success(?:ful(?:ly)?)?|synced(?: successfully)?)\.?", re.I)


def _categorise(platform: str | None, texts: list[str], keys: list[object]) -> str:
    """Text rules first (the text wins when it disagrees with the code), then the code tables."""
    for text in filter(None, texts):
        hit = next((cat for cat, rx in _COMPILED_RULES if rx.search(text[:_MAX_RULE_TEXT])), None)
        if hit:
            return hit
    for key in (str(k).strip().lower() for k in keys if k not in (None, "")):
        category = _CODE_RULES.get(platform or "", {}).get(key) or _COMMON_CODES.get(key)
        if category:
            return category
    return "unknown"


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


def _repair_json(text: str) -> object:
    """Parse JSON cut off mid-way (e.g. by a varchar column) by closing what is open."""
    stack: list[str] = []
    in_string = escaped = False
    last_comma: tuple[int, str] | None = None
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
        elif ch == ",":
            last_comma = (i, "".join(reversed(stack)))
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
_TAG = re.compile(r"<[^>]*>")
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
    errors = errors if isinstance(errors, list) else [errors]
    rows = [
        tuple(_clean(_ci(e, n)) for n in ("code", "Message", "Detail", "element")) for e in errors if isinstance(e, dict)
    ]
    return _qbo(rows, _clean(_ci(fault, "type")))


def _xero_messages(obj: object, key: str) -> list[str]:
    out = []
    for k, value in _walk(obj):
        if k == key and isinstance(value, list):
            out += [m for m in (_clean(_ci(v, "Message") if isinstance(v, dict) else v) for v in value) if m]
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
    if status is not None and (title or detail):  # problem+json (Xero 401, bank feeds)
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


def _generic_json(obj: dict, hint: str | None) -> _Found | None:
    texts, code = [], None
    for key, value in _walk(obj, limit=5_000):
        name = str(key).lower() if key is not None else ""
        if name in ("message", "detail", "error_description", "description", "errormessage", "error", "title",
                    "reason", "faultstring") and isinstance(value, str) and value.strip():  # fmt: skip
            texts.append(_clean(value))
        elif code is None and name in ("code", "errorcode", "error_code", "errorno", "status", "statuscode"):
            code = _str_or_none(value) if name != "status" or str(value).isdigit() else None  # not "error"/"ok"
    if not texts and code is None:
        return None
    return _Found(hint, code, texts, [code], texts[0] if texts else None, _reference(texts))


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
    if tag in ("intuitresponse", "fault") and (root if tag == "fault" else _child(root, "Fault")) is not None:
        fault = root if tag == "fault" else _child(root, "Fault")
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
        return _Found(hint or "xero", problem, [problem, advice], [problem], message)
    return _oauth(error, pairs.get("error_description"), hint) if error else None


def _oauth(error: str, description: object, hint: str | None) -> _Found:
    desc = _clean(description)
    return _Found(hint, error, [desc, error], [error], desc or error)


def _guess_platform(text: str) -> str | None:
    return next((p for p, rx in _TEXT_PLATFORMS if rx.search(text[:_MAX_RULE_TEXT])), None)


def _from_text(original: str, hint: str | None) -> _Found:
    # HTML error pages, or XML too broken to parse, are read for their text
    text = _strip_tags(original) if original.lstrip().startswith("<") else _clean(original)
    code = platform = None
    for rx, owner in _TEXT_CODES:
        match = rx.search(text[:_MAX_RULE_TEXT])
        if match:
            code, platform = match.group(1), owner
            break
    platform = hint or platform or _guess_platform(original)
    if _SUCCESS_TEXT.fullmatch(text):
        return _Found(platform, message=text, success=True)
    return _Found(platform, code, [text], [code], text, _reference([text]))


# --- Entry point ---
def _structured(work: str, hint: str | None, depth: int = 0) -> _Found | None:
    """A JSON/XML body, also double-encoded or behind a short prefix; None when there is none."""
    if work[:1] in "{[":
        obj = _load_json(work)
        return _from_json(obj, hint) if obj is not None else None
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
    return _structured(work[start:], hint, 1) if start > 0 else None


def _detect(work: str, hint: str | None) -> _Found:
    found = _structured(work, hint) or _from_form(work, hint) or _from_text(work, hint)
    if found.platform is None and not found.success:
        found.platform = hint or _guess_platform(work)  # e.g. a NetSuite fragment with no envelope
    return found


def _normalise_platform(platform: object) -> str | None:
    return _PLATFORM_ALIASES.get(platform.strip().lower()) if isinstance(platform, str) else None


def _build(found: _Found, raw: str) -> ParsedResponse:
    texts = [t for t in found.texts if t]
    category = SUCCESS if found.success else _categorise(found.platform, texts, found.keys)
    message = _clip(found.message or (texts[0] if texts else "") or raw) or _NO_RESPONSE
    return ParsedResponse(
        platform=found.platform, code=found.code or None, category=category, message=message,
        reference=None if found.success else found.reference, retryable=RETRYABLE[category],
        fix_hint=FIX_HINTS[category], external_ref=found.external_ref if found.success else None, raw=raw,
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
