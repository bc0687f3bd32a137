"""The importer: validate a sync-log bundle, quarantine bad rows, upsert the good ones, refresh the rollups.

A bundle is a folder or a .zip of `<entity>.csv` (or `<entity>.jsonl`) files, described by syncstatus.bundle
and docs/DATA_FORMAT.md. One import is one database transaction for the data: files are read as streams in
bundle.ENTITY_ORDER, each row is checked (types, allowed values, lengths, references, duplicate keys), good
rows go in batches to a temporary staging table (COPY on PostgreSQL, executemany on SQLite), and set-based
statements from queries/ingest_*.sql count new/changed rows and upsert them on their natural keys. Rejected
rows are kept in `import_rejection` and in a CSV report named after the run. The `import_run` row is
committed first (status 'running') so a failed import stays on record as 'failed' with its error.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import operator
import re
import sqlite3
import sys
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from syncstatus import bundle, config, messages, rollup, schema, sql
from syncstatus.db import utcnow

BATCH_ROWS = 10_000
RAW_ROW_CHARS = 10_000          # raw_row kept per rejection, at most
PARSE_CACHE_SIZE = 20_000       # distinct (response, platform) pairs remembered per import
REPORT_COLUMNS = ("file_name", "line_no", "column", "reason", "raw_row")
MIN_SQLITE = (3, 39, 0)         # ON CONFLICT DO UPDATE (3.24), RETURNING (3.35), IS DISTINCT FROM (3.39)
COUNT_KEYS = ("read", "loaded", "updated", "unchanged", "rejected")


# --------------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------------
@dataclass
class ImportSummary:
    """What an import did. read = loaded + updated + unchanged + rejected, per entity and in total.
    A failed import loaded nothing (its transaction rolled back): loaded, updated and unchanged are 0 then,
    read and rejected say how far it got. ignored_files and notes list what was skipped (unknown files,
    unknown columns)."""

    run_id: int
    source: str
    status: str  # "succeeded" | "failed"
    read: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    per_entity: dict[str, dict[str, int]] = field(default_factory=dict)
    rejections_file: Path | None = None
    error: str | None = None
    ignored_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            f"read {self.read}, loaded {self.loaded}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        ]
        if self.status != "succeeded":
            lines.append(f"import {self.run_id} failed, nothing was loaded: {self.error}")
        if self.rejections_file is not None:
            lines.append(f"rejected rows and problems: {self.rejections_file}")
        if self.ignored_files:
            lines.append("ignored (not part of the bundle format): " + ", ".join(self.ignored_files))
        lines.extend(self.notes)
        return "\n".join(lines)

    def _entity(self, name: str) -> dict[str, int]:
        return self.per_entity.setdefault(name, dict.fromkeys(COUNT_KEYS, 0))

    def _total(self) -> None:
        for k in COUNT_KEYS:
            setattr(self, k, sum(c[k] for c in self.per_entity.values()))


class _Bad(Exception):
    """A row problem: the reason a person reads, and the column it is about."""

    def __init__(self, reason: str, column: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.column = column


class BundleError(RuntimeError):
    """The bundle cannot be imported at all (missing path, not a zip…); the message says why."""


# --------------------------------------------------------------------------------------------------
# Rejections: a CSV report file (streamed) and import_rejection rows (flushed in batches)
# --------------------------------------------------------------------------------------------------
def _clean_text(text: str | None, limit: int | None = None) -> str | None:
    if text is None:
        return None
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit} more characters)"
    return text.replace("\x00", "\ufffd")


def _insert_rejections(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(sql.statement("ingest_rejection_insert", conn.dialect.name, rows[0]), rows)


class _Rejections:
    def __init__(self, directory: Path, run_id: int):
        self.path = directory / f"import_{run_id}_rejections.csv"
        self.directory = directory
        self.run_id = run_id
        self.count = 0
        self._file = None
        self._writer = None
        self._pending: list[dict[str, Any]] = []

    def add(self, file_name: str, line_no: int | None, column: str | None, reason: str, raw: str | None) -> None:
        raw = _clean_text(raw.rstrip("\r\n") if raw else raw, RAW_ROW_CHARS)
        if self._writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
            self._writer = csv.writer(self._file)
            self._writer.writerow(REPORT_COLUMNS)
        self._writer.writerow((file_name, "" if line_no is None else line_no, column or "", reason, raw or ""))
        self._pending.append({
            "run_id": self.run_id, "file_name": file_name[:200], "line_no": line_no,
            "column_name": (column or None) and column[:100], "reason": _clean_text(reason), "raw_row": raw,
        })
        self.count += 1

    def take_pending(self) -> list[dict[str, Any]]:
        """The rows not yet in import_rejection, handed over for insertion."""
        rows, self._pending = self._pending, []
        return rows

    def flush(self, conn: Connection) -> None:
        _insert_rejections(conn, self.take_pending())

    def discard_pending(self) -> None:
        self._pending = []

    def close(self) -> Path | None:
        if self._file is not None:
            self._file.close()
            self._file = None
        return self.path if self.count else None

    def reload_rows(self) -> Iterator[dict[str, Any]]:
        """The report's rows again, for recording them after the data transaction rolled back."""
        if not self.count:
            return
        with open(self.path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                yield {
                    "run_id": self.run_id, "file_name": r["file_name"][:200],
                    "line_no": int(r["line_no"]) if r["line_no"] else None,
                    "column_name": r["column"][:100] or None, "reason": r["reason"], "raw_row": r["raw_row"] or None,
                }


# --------------------------------------------------------------------------------------------------
# Reading: bundle members, CSV records and JSON lines with physical line numbers and raw text
# --------------------------------------------------------------------------------------------------
@dataclass
class _Member:
    name: str                              # file name as shown in rejections (e.g. documents.csv)
    entity: str
    fmt: str                               # csv | jsonl
    open: Callable[[], io.BufferedIOBase]


def _bundle_members(path: Path, stack: ExitStack) -> tuple[list[_Member], list[str]]:
    """The entity files of a folder or .zip, and the names of files that are not part of the format."""
    if not path.exists():
        raise BundleError(f"{path} does not exist: give a bundle folder or a .zip file")
    entries: list[tuple[str, Callable[[], io.BufferedIOBase]]] = []
    if path.is_dir():
        for p in sorted(path.iterdir()):
            if p.is_file() and not p.name.startswith("."):
                entries.append((p.name, lambda p=p: open(p, "rb", buffering=1 << 20)))  # noqa: SIM115
    else:
        try:
            zf = stack.enter_context(zipfile.ZipFile(path))
        except (zipfile.BadZipFile, OSError) as exc:
            raise BundleError(f"{path.name} is neither a bundle folder nor a readable .zip file: {exc}") from None
        names = [i.filename for i in zf.infolist()
                 if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                 and not i.filename.rsplit("/", 1)[-1].startswith(".")]
        # Accept the files at the top of the zip or inside one common folder (zip of a folder).
        tops = {n.split("/", 1)[0] if "/" in n else "" for n in names}
        prefix = next(iter(tops)) + "/" if len(tops) == 1 and "" not in tops else ""
        for n in sorted(names):
            shown = n[len(prefix):] if prefix and n.startswith(prefix) else n
            entries.append((shown, lambda n=n: io.BufferedReader(zf.open(n), buffer_size=1 << 20)))
    members: list[_Member] = []
    ignored: list[str] = []
    for shown, opener in entries:
        stem, dot, ext = shown.rpartition(".")
        if "/" not in shown and dot and stem in bundle.ENTITIES and ext.lower() in ("csv", "jsonl"):
            members.append(_Member(shown, stem, ext.lower(), opener))
        else:
            ignored.append(shown)
    order = {name: i for i, name in enumerate(bundle.ENTITY_ORDER)}
    members.sort(key=lambda m: (order[m.entity], m.fmt, m.name))
    return members, ignored


class _Lines:
    """Decoded physical lines of a binary stream, remembering the current record's raw text and the first
    encoding or NUL problem in it. Line 1 is the first line; a UTF-8 BOM at the start is dropped."""

    def __init__(self, stream: io.BufferedIOBase):
        self.stream = stream
        self.buf: list[str] = []
        self.problem: str | None = None
        self.line_no = 0
        self.eof = False

    def __iter__(self) -> Iterator[str]:
        offset = 0
        n = 0
        buf = self.buf
        decoder_error = UnicodeDecodeError
        first = True
        for b in self.stream:
            n += 1
            try:
                s = b.decode("utf-8")
            except decoder_error as exc:
                s = b.decode("utf-8", "replace")
                if self.problem is None:
                    self.problem = (f"not valid UTF-8 at byte offset {offset + exc.start} (line {n}): "
                                    "save the file as UTF-8")
            if first:
                first = False
                if s.startswith("\ufeff"):
                    s = s[1:]
            if "\x00" in s and self.problem is None:
                self.problem = f"contains a NUL character (line {n}): is this a text file?"
            offset += len(b)
            self.line_no = n
            buf.append(s)
            yield s
        self.eof = True

    def take(self) -> tuple[str, str | None]:
        """The raw text of the record just read and its problem; resets both."""
        buf = self.buf
        raw = buf[0] if len(buf) == 1 else "".join(buf)
        buf.clear()
        problem, self.problem = self.problem, None
        return raw, problem


# A record: (first physical line, fields or None, problem or None, raw text)
Record = tuple[int, "list[str] | None", "str | None", str]


def _csv_records(stream: io.BufferedIOBase) -> Iterator[Record]:
    lines = _Lines(stream)
    reader = csv.reader(iter(lines))
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raw, problem = lines.take()
            yield start, None, problem or f"cannot be read as CSV: {exc}", raw
            start = lines.line_no + 1
            continue
        raw, problem = lines.take()
        if not fields and problem is None:   # blank line
            start = lines.line_no + 1
            continue
        if problem is None and lines.eof and raw.count('"') % 2 == 1:
            problem = (f"unterminated quoted value starting on line {start}: the file seems cut off "
                       "(a closing \" is missing)")
        yield start, fields, problem, raw
        start = lines.line_no + 1


def _jsonl_records(stream: io.BufferedIOBase) -> Iterator[tuple[int, dict | None, str | None, str]]:
    lines = _Lines(stream)
    for s in lines:
        raw, problem = lines.take()
        n = lines.line_no
        if problem is not None:
            yield n, None, problem, raw
            continue
        text = s.strip()
        if not text:
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            cut = "" if raw.endswith("\n") else " (the file seems cut off here)"
            yield n, None, f"not valid JSON: {exc}{cut}", raw
            continue
        if not isinstance(obj, dict):
            yield n, None, "each line must be one JSON object ({...}) with the column names as keys", raw
            continue
        yield n, obj, None, raw


def _problem_column(problem: str | None, fields: list[str] | None, names: list[str]) -> str | None:
    """The column a record-level problem sits in, when the fields show it."""
    if not problem or not fields:
        return None
    if problem.startswith("unterminated"):
        return names[len(fields) - 1] if len(fields) <= len(names) else None
    for i, f in enumerate(fields):
        if ("\ufffd" in f or "\x00" in f) and i < len(names):
            return names[i]
    return None


def _bad_characters(values: list[str]) -> tuple[int, str] | None:
    """JSON escapes can spell what a database text cannot hold: NUL (\\u0000) and lone surrogates."""
    joined = "".join(values)
    if "\x00" not in joined:
        try:
            joined.encode("utf-8")
            return None
        except UnicodeEncodeError:
            pass
    for i, v in enumerate(values):
        if "\x00" in v:
            return i, "contains a NUL character (\\u0000), which a text value cannot hold"
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as exc:
            return i, f"contains an invalid character ({exc.object[exc.start]!a}, a lone surrogate)"
    return None


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------------------------------
# Validation. Two forms per bundle column, producing the same staging values:
#  - a converter for one value, raising _Bad with the reason a person reads (the row-by-row path);
#  - a bulk converter for a whole batch column, raising anything at the first doubt (the fast path;
#    a batch it refuses is redone row by row, which finds and explains the bad rows).
# Staging values: str, int, ISO text for dates ('YYYY-MM-DD'), date-times ('YYYY-MM-DD HH:MM:SS.ffffff',
# naive UTC, the form SQLAlchemy stores on SQLite) and decimals (rounded to the column's scale); bool as
# True/False on PostgreSQL and 1/0 on SQLite. PostgreSQL parses the text in COPY.
# --------------------------------------------------------------------------------------------------
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})
INT_MAX = 2_147_483_647
_iso_datetime = operator.methodcaller("isoformat", " ", "microseconds")
_tzinfo = operator.attrgetter("tzinfo")


class _Refused(Exception):
    """The fast path declines a batch; the row-by-row path takes over."""


def _show(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _db_column(entity: bundle.Entity, col: bundle.Col) -> sa.Column | None:
    table = schema.metadata.tables[entity.table]
    name = TARGET_NAMES.get((entity.name, col.name), col.name)
    return table.c.get(name)


@dataclass(frozen=True)
class _Rules:
    """What a column's values must satisfy, derived from bundle.Col and the target column's type."""

    name: str
    kind: str
    limit: int | None
    allowed: tuple[str, ...] | None
    low: float | None
    quantum: Decimal | None
    bound: Decimal | None
    digits: int | None
    sqlite: bool
    canonical: re.Pattern | None       # values already in staging form: passed through after validation
    canonical_all: re.Pattern | None   # the same for a whole batch column joined with newlines

    @classmethod
    def of(cls, col: bundle.Col, db_col: sa.Column | None, sqlite: bool) -> _Rules:
        typ = getattr(db_col, "type", None)
        limits = [x for x in (col.max_len, getattr(typ, "length", None)) if x]
        scale = getattr(typ, "scale", None) if col.type == "decimal" else None
        precision = getattr(typ, "precision", None) if col.type == "decimal" else None
        pattern = None
        if col.type == "decimal" and precision is not None and scale is not None:
            pattern = rf"-?\d{{1,{precision - scale}}}\.\d{{{scale}}}"
        elif col.type == "date":
            pattern = r"\d{4}-\d{2}-\d{2}"
        elif col.type == "datetime":
            pattern = (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}" if sqlite    # what SQLAlchemy stores
                       else r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")  # naive: PostgreSQL parses it
        return cls(
            name=col.name, kind=col.type, limit=min(limits) if limits else None, allowed=col.allowed,
            low=col.min_value,
            quantum=Decimal(1).scaleb(-scale) if scale is not None else None,
            bound=Decimal(10) ** (precision - scale) if precision is not None and scale is not None else None,
            digits=precision - scale if precision is not None and scale is not None else None,
            sqlite=sqlite,
            canonical=re.compile(pattern, re.ASCII) if pattern else None,
            canonical_all=re.compile(f"(?:{pattern}\n)*", re.ASCII) if pattern else None,
        )


def make_converter(col: bundle.Col, db_col: sa.Column | None = None, sqlite_values: bool = False) -> Callable[[str], Any]:
    """A function from a non-empty, stripped text value to its staging value, raising _Bad with the reason."""
    r = _Rules.of(col, db_col, sqlite_values)
    name = r.name
    if r.kind == "str":
        if r.allowed:
            canon = {a.lower(): a for a in r.allowed}
            allowed = ", ".join(r.allowed)

            def conv_allowed(s: str) -> str:
                c = canon.get(s.lower())
                if c is None:
                    raise _Bad(f"{name} {_show(s)} is not one of the allowed values: {allowed}")
                return c

            return conv_allowed
        limit = r.limit

        def conv_str(s: str) -> str:
            if limit is not None and len(s) > limit:
                raise _Bad(f"{name} is too long: {len(s)} characters, at most {limit} allowed")
            return s

        return conv_str
    if r.kind == "int":
        low = r.low

        def conv_int(s: str) -> int:
            try:
                if "_" in s:
                    raise ValueError
                n = int(s)
            except ValueError:
                raise _Bad(f"{name} {_show(s)} is not a whole number") from None
            if low is not None and n < low:
                raise _Bad(f"{name} is {n} but must not be negative" if low == 0
                           else f"{name} is {n} but must be at least {low:g}")
            if n > INT_MAX or n < -INT_MAX:
                raise _Bad(f"{name} {n} is too large (at most {INT_MAX})")
            return n

        return conv_int
    if r.kind == "decimal":

        canonical = r.canonical
        no_minus = r.low is not None

        def conv_decimal(s: str) -> str:
            if canonical is not None and canonical.fullmatch(s) and not (no_minus and s.startswith("-")):
                return s
            try:
                if "_" in s:
                    raise InvalidOperation
                d = Decimal(s)
                if not d.is_finite():
                    raise InvalidOperation
                if r.quantum is not None:
                    d = d.quantize(r.quantum, rounding=ROUND_HALF_UP)
            except (InvalidOperation, ValueError):
                raise _Bad(f"{name} {_show(s)} is not a number: use digits and a dot for decimals, "
                           "e.g. 1234.50") from None
            if r.low is not None and d < r.low:
                raise _Bad(f"{name} is {s} but must not be negative" if r.low == 0
                           else f"{name} is {s} but must be at least {r.low:g}")
            if r.bound is not None and abs(d) >= r.bound:
                raise _Bad(f"{name} {_show(s)} is too large: at most {r.digits} digits before the decimal point")
            return str(d)

        return conv_decimal
    if r.kind == "date":

        canonical = r.canonical

        def conv_date(s: str) -> str:
            try:
                d = date.fromisoformat(s)
                return s if canonical.fullmatch(s) else d.isoformat()
            except ValueError:
                raise _Bad(f"{name} {_show(s)} is not a valid date: use YYYY-MM-DD, e.g. 2024-03-31") from None

        return conv_date
    if r.kind == "datetime":

        canonical = r.canonical

        def conv_datetime(s: str) -> str:
            try:
                dt = datetime.fromisoformat(s)
                if canonical.fullmatch(s):
                    return s
                if dt.tzinfo is not None:
                    dt = dt.astimezone(UTC).replace(tzinfo=None)
            except (ValueError, OverflowError):
                raise _Bad(f"{name} {_show(s)} is not a valid date and time: use YYYY-MM-DDTHH:MM:SS (UTC) "
                           "or with an offset, e.g. 2024-03-31T14:05:00+02:00") from None
            return _iso_datetime(dt)

        return conv_datetime
    if r.kind == "bool":
        yes, no = (1, 0) if sqlite_values else (True, False)

        def conv_bool(s: str) -> Any:
            w = s.lower()
            if w in TRUE_WORDS:
                return yes
            if w in FALSE_WORDS:
                return no
            raise _Bad(f"{name} {_show(s)} is not true or false (use true/false, yes/no or 1/0)")

        return conv_bool
    raise ValueError(f"bundle column {name} has unknown type {r.kind!r}")


def make_bulk_converter(col: bundle.Col, db_col: sa.Column | None = None,
                        sqlite_values: bool = False) -> Callable[[list[str]], list[Any]]:
    """A function from a batch column of non-empty, stripped texts to staging values, raising at the first
    doubt (no reasons: the row-by-row path explains). Produces exactly what make_converter produces."""
    r = _Rules.of(col, db_col, sqlite_values)
    if r.kind == "str":
        if r.allowed:
            exact = frozenset(r.allowed)

            def bulk_allowed(vals: list[str]) -> list[str]:
                if not exact.issuperset(vals):
                    raise _Refused
                return vals

            return bulk_allowed
        limit = r.limit

        def bulk_str(vals: list[str]) -> list[str]:
            if limit is not None and vals and max(map(len, vals)) > limit:
                raise _Refused
            return vals

        return bulk_str
    if r.kind == "int":

        def bulk_int(vals: list[str]) -> list[int]:
            if "_" in "".join(vals):
                raise _Refused
            out = list(map(int, vals))
            if out and (max(out) > INT_MAX or min(out) < (-INT_MAX if r.low is None else r.low)):
                raise _Refused
            return out

        return bulk_int
    if r.kind == "decimal":
        quantum = r.quantum
        canonical_all = r.canonical_all

        def bulk_decimal(vals: list[str]) -> list[str]:
            joined = "\n".join(vals)
            if canonical_all is not None and canonical_all.fullmatch(joined + "\n") and (
                    r.low is None or "-" not in joined):
                return vals
            if "_" in joined:
                raise _Refused
            ds = list(map(Decimal, vals))
            if not all(map(Decimal.is_finite, ds)):
                raise _Refused
            if quantum is not None:
                ds = [d.quantize(quantum, rounding=ROUND_HALF_UP) for d in ds]
            if ds and ((r.low is not None and min(ds) < r.low) or (r.bound is not None and max(map(abs, ds)) >= r.bound)):
                raise _Refused
            return list(map(str, ds))

        return bulk_decimal
    if r.kind == "date":

        canonical_all = r.canonical_all

        def bulk_date(vals: list[str]) -> list[str]:
            if canonical_all.fullmatch("\n".join(vals) + "\n"):
                deque(map(date.fromisoformat, vals), maxlen=0)  # a real calendar day each
                return vals
            return list(map(date.isoformat, map(date.fromisoformat, vals)))

        return bulk_date
    if r.kind == "datetime":

        canonical_all = r.canonical_all

        def bulk_datetime(vals: list[str]) -> list[str]:
            if canonical_all.fullmatch("\n".join(vals) + "\n"):
                deque(map(datetime.fromisoformat, vals), maxlen=0)  # valid, and naive by the pattern
                return vals
            dts = list(map(datetime.fromisoformat, vals))
            if any(map(_tzinfo, dts)):
                dts = [dt if dt.tzinfo is None else dt.astimezone(UTC).replace(tzinfo=None) for dt in dts]
            return list(map(_iso_datetime, dts))

        return bulk_datetime
    if r.kind == "bool":
        yes, no = (1, 0) if sqlite_values else (True, False)
        words = {**dict.fromkeys(TRUE_WORDS, yes), **dict.fromkeys(FALSE_WORDS, no)}

        def bulk_bool(vals: list[str]) -> list[Any]:
            return list(map(words.__getitem__, map(str.lower, vals)))

        return bulk_bool
    raise ValueError(f"bundle column {col.name} has unknown type {r.kind!r}")


# --------------------------------------------------------------------------------------------------
# Bundle entity -> staging table: columns, and the builder turning validated columns into staging columns
# --------------------------------------------------------------------------------------------------
# Bundle column -> target column where the names differ (center_code/zone_code become ids in the builders).
TARGET_NAMES: dict[tuple[str, str], str] = {
    ("zones", "zone_code"): "code", ("zones", "zone_name"): "name",
    ("centers", "center_code"): "code", ("centers", "center_name"): "name", ("centers", "zone_code"): "zone_id",
    ("accounts", "account_code"): "code", ("accounts", "account_name"): "name", ("accounts", "account_type"): "type",
    ("items", "item_code"): "code", ("items", "item_name"): "name", ("items", "response"): "raw_response",
    ("documents", "response"): "raw_response",
}

STAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "zones": ("code", "name"),
    "centers": ("code", "name", "zone_id", "platform", "timezone", "active"),
    "sync_configs": ("center_id", "effective_from", "sync_type"),
    "sync_jobs": ("center_id", "job", "enabled", "schedule"),
    "job_runs": ("center_id", "job", "started_at", "finished_at", "status", "processed", "failed", "message"),
    "accounts": ("center_id", "code", "name", "type", "active", "last_read_at", "deleted_in_platform_at"),
    "items": ("center_id", "code", "name", "item_type", "mapped_item_type", "platform_item", "account_code",
              "status", "raw_response", "category", "message", "deleted_in_platform_at"),
    "sale_orders": ("center_id", "invoice_no", "guest", "sale_date", "amount", "summary_invoice_no"),
    "sale_order_lines": ("center_id", "invoice_no", "line_no", "item_code", "account_code", "qty", "amount"),
    "payments": ("center_id", "payment_no", "invoice_no", "payment_type", "account_code", "amount", "paid_on"),
    "misc_journals": ("center_id", "journal_no", "register", "kind", "journal_date", "debit_account_code",
                      "credit_account_code", "amount"),
    "stock_orders": ("center_id", "kind", "order_no", "order_date", "amount", "deleted_at"),
    "documents": ("center_id", "kind", "document_no", "sync_date", "amount", "status", "pending_reason", "attempts",
                  "last_attempt_at", "external_ref", "raw_response", "response_code", "category", "message",
                  "reference"),
}

# Documents whose response is parsed on import: every failed or pending one (the failure category feeds the
# rollup and the root-cause views), and any other one that has a response but no external_ref (the parse
# finds the platform's reference). A processed document with its external_ref keeps the raw response only:
# parsing costs 30-110 µs per distinct response, which would otherwise bound the import speed.
PARSED_STATUSES = frozenset({"failed", "pending"})


def stage_table(entity: str) -> sa.Table:
    """The TEMPORARY staging table of an entity: the target's columns and types, no constraints."""
    target = schema.metadata.tables[bundle.ENTITIES[entity].table]
    cols = [sa.Column(c, target.c[c].type) for c in STAGE_COLUMNS[entity]]
    return sa.Table(f"stage_{entity}", sa.MetaData(), *cols, prefixes=["TEMPORARY"])


def _clip(value: str | None, limit: int) -> str | None:
    return value if value is None or len(value) <= limit else value[:limit]


class _Context:
    """What an import needs while building rows: lookups, the response parser cache, what it touched."""

    def __init__(self, conn: Connection, run_id: int):
        self.conn = conn
        self.run_id = run_id
        self.sqlite = conn.dialect.name == "sqlite"
        self.true = 1 if self.sqlite else True
        self.zones: dict[str, int] = {}
        self.center_ids: dict[str, int] = {}
        self.platforms: dict[str, str] = {}
        self.rejected_centers: dict[str, str] = {}   # center_code -> where its row was rejected
        self.rejected_zones: dict[str, str] = {}
        self.touched: set[int] = set()
        self.newest: dict[int, str] = {}
        self.config_changed: set[int] = set()
        self.doc_ranges: dict[int, tuple[date, date]] = {}
        self._parsed: dict[tuple[str | None, str | None], messages.ParsedResponse] = {}

    def load_zones(self) -> None:
        self.zones = {code: int(i) for code, i in sql.execute(self.conn, "ingest_zone_codes")}

    def load_centers(self) -> None:
        rows = sql.execute(self.conn, "ingest_center_codes").all()
        self.center_ids = {code: int(i) for code, i, _ in rows}
        self.platforms = {code: p for code, _, p in rows}

    def center_id_column(self, codes: list[str]) -> list[int]:
        return _id_column(codes, self.center_ids, self.rejected_centers, "center", "centers.csv")

    def zone_id_column(self, codes: list[str]) -> list[int]:
        return _id_column(codes, self.zones, self.rejected_zones, "zone", "zones.csv")

    def parse(self, raw: str | None, platform: str | None) -> messages.ParsedResponse:
        key = (raw, platform)
        hit = self._parsed.get(key)
        if hit is None:
            if len(self._parsed) >= PARSE_CACHE_SIZE:
                self._parsed.clear()
            hit = self._parsed[key] = messages.parse_response(raw, platform=platform)
        return hit


# Builders: validated bundle columns (aligned with Entity.columns) -> staging columns (STAGE_COLUMNS order).
Columns = list[list[Any]]


def _build_zones(ctx: _Context, c: Columns) -> Columns:
    return [c[0], c[1]]


def _build_centers(ctx: _Context, c: Columns) -> Columns:
    return [c[0], c[1], ctx.zone_id_column(c[2]), c[3], [v or "UTC" for v in c[4]],
            [ctx.true if v is None else v for v in c[5]]]


def _build_center_rest(ctx: _Context, c: Columns) -> Columns:
    """center_code first, then the bundle columns in order, straight into the staging columns."""
    return [ctx.center_id_column(c[0]), *c[1:]]


def _build_sync_jobs(ctx: _Context, c: Columns) -> Columns:
    return [ctx.center_id_column(c[0]), c[1], c[2], [v or "" for v in c[3]]]


def _build_job_runs(ctx: _Context, c: Columns) -> Columns:
    return [ctx.center_id_column(c[0]), c[1], c[2], c[3], c[4], [v or 0 for v in c[5]], [v or 0 for v in c[6]], c[7]]


def _build_accounts(ctx: _Context, c: Columns) -> Columns:
    return [ctx.center_id_column(c[0]), c[1], c[2], c[3], [ctx.true if v is None else v for v in c[4]], c[5], c[6]]


def _build_items(ctx: _Context, c: Columns) -> Columns:
    ids = ctx.center_id_column(c[0])
    status = [v or "processed" for v in c[7]]
    raws = c[8]
    category: list[str | None] = [None] * len(ids)
    message: list[str | None] = [None] * len(ids)
    platforms = ctx.platforms
    for i, raw in enumerate(raws):
        if raw or status[i] == "failed":
            p = ctx.parse(raw, platforms.get(c[0][i]))
            category[i], message[i] = _clip(p.category, 40), p.message
    return [ids, c[1], c[2], c[3], c[4], c[5], c[6], status, raws, category, message, c[9]]


def _build_documents(ctx: _Context, c: Columns) -> Columns:
    ids = ctx.center_id_column(c[0])
    n = len(ids)
    codes, statuses, ext, raws = c[0], c[5], list(c[9]), c[10]
    rcode: list[str | None] = [None] * n
    category: list[str | None] = [None] * n
    message: list[str | None] = [None] * n
    reference: list[str | None] = [None] * n
    platforms = ctx.platforms
    parsed = PARSED_STATUSES
    for i in range(n):
        raw = raws[i]
        if statuses[i] in parsed or (raw and ext[i] is None):
            p = ctx.parse(raw, platforms.get(codes[i]))
            rcode[i], category[i], message[i] = _clip(p.code, 60), _clip(p.category, 40), p.message
            reference[i] = _clip(p.reference, 200)
            if ext[i] is None and p.external_ref:
                ext[i] = _clip(p.external_ref, 100)
    return [ids, c[1], c[2], c[3], c[4], statuses, c[6], [v or 0 for v in c[7]], c[8], ext, raws,
            rcode, category, message, reference]


BUILDERS: dict[str, Callable[[_Context, Columns], Columns]] = {
    "zones": _build_zones,
    "centers": _build_centers,
    "sync_configs": _build_center_rest,
    "sync_jobs": _build_sync_jobs,
    "job_runs": _build_job_runs,
    "accounts": _build_accounts,
    "items": _build_items,
    "sale_orders": _build_center_rest,
    "sale_order_lines": _build_center_rest,
    "payments": _build_center_rest,
    "misc_journals": _build_center_rest,
    "stock_orders": _build_center_rest,
    "documents": _build_documents,
}


# --------------------------------------------------------------------------------------------------
# Staging writes
# --------------------------------------------------------------------------------------------------
class _Stage:
    def __init__(self, conn: Connection, entity: str):
        self.conn = conn
        self.entity = entity
        self.table = stage_table(entity)
        self.columns = STAGE_COLUMNS[entity]
        self.rows = 0
        # A leftover of an interrupted import on a pooled connection (SQLite may have created it outside the
        # transaction) must not stop this one.
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.table.name}")
        self.table.create(conn)

    def write(self, batch: list[tuple]) -> None:
        if not batch:
            return
        cols = ", ".join(self.columns)  # identifiers of our own staging table, never data
        if self.conn.dialect.name == "postgresql":
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {self.table.name} ({cols}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in batch:
                    write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            self.conn.exec_driver_sql(f"INSERT INTO {self.table.name} ({cols}) VALUES ({marks})", batch)
        self.rows += len(batch)

    def analyze(self) -> None:
        """PostgreSQL: statistics for the planner before the set-based statements join staging to the target."""
        self.conn.exec_driver_sql(f"ANALYZE {self.table.name}")

    def drop(self) -> None:
        self.table.drop(self.conn)


# --------------------------------------------------------------------------------------------------
# Loading one entity
# --------------------------------------------------------------------------------------------------
Pending = tuple[int, "list[str]", str]  # (line_no, values, raw text)


class _EntityLoader:
    def __init__(self, ctx: _Context, entity: bundle.Entity, summary: ImportSummary, rejections: _Rejections,
                 progress: bool):
        self.ctx = ctx
        self.entity = entity
        self.counts = summary._entity(entity.name)
        self.summary = summary
        self.rejections = rejections
        self.progress = progress
        self.build = BUILDERS[entity.name]
        self.key_idx = [entity.column_names.index(k) for k in entity.key]
        self.key_text = ", ".join(entity.key)
        self.center_scoped = entity.refs.get("center_code") == "centers"
        self.seen: dict[tuple, int] = {}        # natural key -> (file index << 32) | line number
        self.files: list[str] = []
        self.converters = [make_converter(c, _db_column(entity, c), ctx.sqlite) for c in entity.columns]
        self.bulk = [make_bulk_converter(c, _db_column(entity, c), ctx.sqlite) for c in entity.columns]
        self.required = [c.required for c in entity.columns]
        self.stage = _Stage(ctx.conn, entity.name)
        self.pending: list[Pending] = []
        self.staged_codes: list[str] = []   # centers staged, for "touched"

    # -- rejections ------------------------------------------------------------------------------
    def reject(self, file_name: str, line_no: int | None, column: str | None, reason: str, raw: str | None,
               code: str | None = None) -> None:
        """Count and report a rejected row; `code` is the row's first column (a center or zone code)."""
        self.counts["rejected"] += 1
        self.rejections.add(file_name, line_no, column, reason, raw)
        if code:
            into = {"centers": self.ctx.rejected_centers, "zones": self.ctx.rejected_zones}.get(self.entity.name)
            if into is not None:
                into.setdefault(code, f"{file_name} line {line_no}")

    # -- batches ---------------------------------------------------------------------------------
    def process(self, file_name: str, positions: list[int], bar=None) -> None:
        """Validate, stage and count the pending rows: the whole batch column by column when it is clean,
        else row by row, rejecting the bad rows with their reasons."""
        rows, self.pending = self.pending, []
        staged: list[tuple] = []
        if rows:
            try:
                staged = self._fast(file_name, rows, positions)
            except (_Refused, _Bad, ValueError, KeyError, TypeError, ArithmeticError):
                staged = self._slow(file_name, rows, positions)
            if bar is not None:
                bar.update(len(rows))
        self._stage_batch(staged, self.rejections.take_pending())

    def _tag(self, file_name: str) -> int:
        if not self.files or self.files[-1] != file_name:
            self.files.append(file_name)
        return (len(self.files) - 1) << 32

    def _commit(self, keys: dict[tuple, int], cols: Columns, staged_cols: Columns) -> None:
        """Remember the staged rows' keys (for duplicates) and what they touched."""
        self.seen.update(keys)
        if self.center_scoped:
            self.ctx.touched.update(staged_cols[0])
        elif self.entity.name == "centers":
            self.staged_codes.extend(cols[0])
        if self.entity.name == "documents":
            newest = self.ctx.newest
            for cid, d in zip(staged_cols[0], staged_cols[3], strict=True):
                if d > newest.get(cid, ""):
                    newest[cid] = d

    def _fast(self, file_name: str, rows: list[Pending], positions: list[int]) -> list[tuple]:
        n = len(rows)
        fields = [r[1] for r in rows]
        cols: Columns = []
        for pos, bulk, required in zip(positions, self.bulk, self.required, strict=True):
            if pos < 0:
                if required:
                    raise _Refused
                cols.append([None] * n)
                continue
            vals = list(map(str.strip, map(operator.itemgetter(pos), fields)))
            if "" in vals:
                if required:
                    raise _Refused
                idx = [i for i, s in enumerate(vals) if s]
                out: list[Any] = [None] * n
                for i, v in zip(idx, bulk([vals[i] for i in idx]), strict=True):
                    out[i] = v
                cols.append(out)
            else:
                cols.append(bulk(vals))
        tag = self._tag(file_name)
        keys = zip(*(cols[i] for i in self.key_idx), strict=True)
        batch_keys = dict(zip(keys, (tag | r[0] for r in rows), strict=True))
        if len(batch_keys) != n or not self.seen.keys().isdisjoint(batch_keys):
            raise _Refused   # a duplicate key: the row-by-row path names both lines
        staged_cols = self.build(self.ctx, cols)
        self._commit(batch_keys, cols, staged_cols)
        return list(zip(*staged_cols, strict=True))

    def _slow(self, file_name: str, rows: list[Pending], positions: list[int]) -> list[tuple]:
        staged: list[tuple] = []
        tag = self._tag(file_name)
        columns = self.entity.columns
        first = positions[0]
        for line_no, values, raw in rows:
            try:
                vals: list[Any] = []
                for i, pos in enumerate(positions):
                    s = values[pos].strip() if pos >= 0 else ""
                    if not s:
                        if columns[i].required:
                            raise _Bad(f"{columns[i].name} is required but empty", columns[i].name)
                        vals.append(None)
                        continue
                    try:
                        vals.append(self.converters[i](s))
                    except _Bad as bad:
                        bad.column = columns[i].name
                        raise
                key = tuple(vals[i] for i in self.key_idx)
                prev = self.seen.get(key)
                if prev is not None:
                    prev_file, prev_line = self.files[prev >> 32], prev & 0xFFFFFFFF
                    where = f"line {prev_line}" if prev_file == file_name else f"{prev_file} line {prev_line}"
                    shown = ", ".join(str(k) for k in key)
                    raise _Bad(f"duplicate key ({self.key_text}) = ({shown}) also on {where}", self.key_text)
                cols = [[v] for v in vals]
                staged_cols = self.build(self.ctx, cols)
            except _Bad as bad:
                code = values[first].strip() if first >= 0 else None
                self.reject(file_name, line_no, bad.column, bad.reason, raw, code)
                continue
            self._commit({key: tag | line_no}, cols, staged_cols)
            staged.append(tuple(c[0] for c in staged_cols))
        return staged

    def _bar(self, name: str):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(desc=name, unit=" rows", file=sys.stderr, leave=True, dynamic_ncols=True)

    # -- files -----------------------------------------------------------------------------------
    def load_file(self, member: _Member) -> None:
        bar = self._bar(member.name)
        try:
            with member.open() as stream:
                if member.fmt == "csv":
                    self._load_csv(member.name, stream, bar)
                else:
                    self._load_jsonl(member.name, stream, bar)
        finally:
            if bar is not None:
                bar.close()

    def _reject_file(self, name: str, records: Iterator, column: str | None, what: str, raw: str | None) -> None:
        n = sum(1 for _ in records)
        self.counts["read"] += n
        self.counts["rejected"] += n
        self.rejections.add(name, 1, column, f"{what}; the whole file ({n} rows) was not loaded", raw)
        self._stage_batch([], self.rejections.take_pending())

    def _load_csv(self, name: str, stream: io.BufferedIOBase, bar) -> None:
        records = _csv_records(stream)
        header = next(records, None)
        expected = ", ".join(self.entity.column_names)
        if header is None:
            self.rejections.add(name, None, None, "the file is empty: expected a header row with the columns "
                                f"{expected}", None)
            return
        _, fields, problem, raw = header
        if problem is not None or fields is None:
            self._reject_file(name, records, None, f"the header row is unusable ({problem or 'cannot be read'})", raw)
            return
        names = [f.strip().lower() for f in fields]
        dupes = sorted({n for n in names if n and names.count(n) > 1})
        missing = [c.name for c in self.entity.columns if c.required and c.name not in names]
        if missing:
            what = (f"missing required column {missing[0]!r}" if len(missing) == 1
                    else "missing required columns " + ", ".join(repr(m) for m in missing))
            self._reject_file(name, records, ", ".join(missing),
                              f"{what} in the header (expected columns: {expected})", raw)
            return
        if dupes:
            self._reject_file(name, records, ", ".join(dupes),
                              "column " + ", ".join(repr(d) for d in dupes) + " appears more than once in the header",
                              raw)
            return
        unknown = [f for f in names if f not in self.entity.column_names]
        if unknown:
            self.summary.notes.append(f"{name}: column(s) {', '.join(unknown)} are not part of the format and "
                                      "were ignored")
        positions = [names.index(c) if c in names else -1 for c in self.entity.column_names]
        width = len(names)
        counts = self.counts
        pending = self.pending
        first = positions[0]
        read = 0
        for line_no, fields, problem, raw in records:
            read += 1
            if problem is None and len(fields) == width:
                pending.append((line_no, fields, raw))
                if len(pending) >= BATCH_ROWS:
                    self.process(name, positions, bar)
                    pending = self.pending
            elif problem is not None or fields is None:
                if pending:  # keep the report in line order
                    self.process(name, positions, bar)
                    pending = self.pending
                code = fields[first].strip() if fields and len(fields) > first else None
                self.reject(name, line_no, _problem_column(problem, fields, names), problem or "cannot be read",
                            raw, code)
            else:
                if pending:
                    self.process(name, positions, bar)
                    pending = self.pending
                cut = "" if raw.endswith("\n") else "; the file seems cut off here"
                column = names[len(fields)] if len(fields) < width else None
                code = fields[first].strip() if len(fields) > first else None
                self.reject(name, line_no, column, f"has {len(fields)} fields but the header has {width} "
                            f"({', '.join(names)}){cut}", raw, code)
        counts["read"] += read
        self.process(name, positions, bar)

    def _load_jsonl(self, name: str, stream: io.BufferedIOBase, bar) -> None:
        colnames = self.entity.column_names
        positions = list(range(len(colnames)))
        known = set(colnames)
        unknown_seen: set[str] = set()
        pending = self.pending
        for line_no, obj, problem, raw in _jsonl_records(stream):
            self.counts["read"] += 1
            if obj is None:
                if pending:  # keep the report in line order
                    self.process(name, positions, bar)
                    pending = self.pending
                self.reject(name, line_no, None, problem or "cannot be read", raw)
                continue
            if not known.issuperset(obj):
                unknown_seen.update(k for k in obj if k not in known)
            values = [_json_text(obj.get(c)) for c in colnames]
            bad = _bad_characters(values)
            if bad is not None:
                if pending:
                    self.process(name, positions, bar)
                    pending = self.pending
                self.reject(name, line_no, colnames[bad[0]], bad[1], raw, values[0].strip())
                continue
            pending.append((line_no, values, raw))
            if len(pending) >= BATCH_ROWS:
                self.process(name, positions, bar)
                pending = self.pending
        self.process(name, positions, bar)
        if unknown_seen:
            self.summary.notes.append(f"{name}: key(s) {', '.join(sorted(unknown_seen))} are not part of the "
                                      "format and were ignored")

    # -- database side -------------------------------------------------------------------------------
    def _stage_batch(self, staged: list[tuple], rejection_rows: list[dict[str, Any]]) -> None:
        """A batch's rejections into import_rejection, its good rows into staging."""
        _insert_rejections(self.ctx.conn, rejection_rows)
        self.stage.write(staged)

    def finish(self) -> None:
        """After the last file: count and write the staged rows set-based (one classifying SELECT, then one
        upsert, or INSERT + UPDATE for documents), and refresh the lookups the next entities need."""
        conn = self.ctx.conn
        name = self.entity.name
        staged = self.stage.rows
        if staged:
            if conn.dialect.name == "postgresql":
                self.stage.analyze()
            rows = sql.execute(conn, f"ingest_classify_{name}").mappings().all()
            new = sum(int(r["new_rows"] or 0) for r in rows)
            changed = sum(int(r["changed_rows"] or 0) for r in rows)
            if name == "sync_configs":
                self.ctx.config_changed.update(int(r["center_id"]) for r in rows
                                               if (r["new_rows"] or 0) + (r["changed_rows"] or 0))
            elif name == "documents":
                for r in rows:
                    lo = [rollup._as_date(d, rollup.MIN_DATE) for d in (r["new_from"], r["old_from"]) if d is not None]
                    hi = [rollup._as_date(d, rollup.MAX_DATE) for d in (r["new_to"], r["old_to"]) if d is not None]
                    if lo and hi:
                        self.ctx.doc_ranges[int(r["center_id"])] = (min(lo), max(hi))
            if name == "documents":
                if new:
                    sql.execute(conn, "ingest_insert_documents", run_id=self.ctx.run_id)
                if changed:
                    sql.execute(conn, "ingest_update_documents", run_id=self.ctx.run_id)
            elif new or changed:
                sql.execute(conn, f"ingest_upsert_{name}")
            self.counts["loaded"] += new
            self.counts["updated"] += changed
            self.counts["unchanged"] += staged - new - changed
        self.stage.drop()
        if name == "zones":
            self.ctx.load_zones()
        elif name == "centers":
            self.ctx.load_centers()
            for code in self.staged_codes:
                cid = self.ctx.center_ids.get(code)
                if cid is not None:
                    self.ctx.touched.add(cid)
        elif name == "sync_configs" and self.ctx.config_changed:
            rollup.update_effective_to(conn, self.ctx.config_changed)


# --------------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------------
def _check_sqlite(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        version = tuple(int(x) for x in sqlite3.sqlite_version.split(".")[:3])
        if version < MIN_SQLITE:
            raise BundleError(f"SQLite {sqlite3.sqlite_version} is too old for the importer; it needs "
                               f"{'.'.join(map(str, MIN_SQLITE))} or newer (ON CONFLICT DO UPDATE, IS DISTINCT FROM)")


def _start_run(engine: Engine, source: str) -> int:
    with engine.begin() as conn:
        return int(sql.execute(conn, "ingest_run_start", source=source, started_at=utcnow()).scalar_one())


def _finish_run(conn: Connection, summary: ImportSummary) -> None:
    sql.execute(
        conn, "ingest_run_finish", run_id=summary.run_id, status=summary.status, finished_at=utcnow(),
        rows_read=summary.read, rows_loaded=summary.loaded, rows_updated=summary.updated,
        rows_unchanged=summary.unchanged, rows_rejected=summary.rejected, error=summary.error,
    )


def refresh_groups(ranges: dict[int, tuple[date, date]]) -> list[tuple[list[int], date, date]]:
    """Group centers whose changed date ranges are alike into one rollup refresh each.

    Centers with the same range share a call; ranges that start in order are merged while the merged span
    stays within 1.5 times the longer one plus a month, so a daily import (every center: the last few days)
    is one refresh, and one center with an old correction does not make every center recount its history.
    """
    groups: list[tuple[list[int], date, date]] = []
    by_range: dict[tuple[date, date], list[int]] = {}
    for center_id, rng in ranges.items():
        by_range.setdefault(rng, []).append(center_id)
    for (d0, d1), ids in sorted(by_range.items()):
        if groups:
            g_ids, g0, g1 = groups[-1]
            u0, u1 = min(g0, d0), max(g1, d1)
            longer = max((g1 - g0).days, (d1 - d0).days)
            if (u1 - u0).days <= 1.5 * longer + 31:
                groups[-1] = (g_ids + ids, u0, u1)
                continue
        groups.append((list(ids), d0, d1))
    return [(sorted(ids), d0, d1) for ids, d0, d1 in groups]


def _refresh_rollups(ctx: _Context) -> None:
    """Recount the rollups the import changed: whole centers whose configurations changed, and the changed
    date ranges of the others, in the import's transaction."""
    conn = ctx.conn
    full = sorted(ctx.config_changed)
    if full:
        rollup.refresh(conn, full, rollup.MIN_DATE, rollup.MAX_DATE)
    ranges = {cid: rng for cid, rng in ctx.doc_ranges.items() if cid not in ctx.config_changed}
    for ids, d0, d1 in refresh_groups(ranges):
        rollup.refresh(conn, ids, d0, d1)


def _record_centers(ctx: _Context) -> None:
    newest = {cid: date.fromisoformat(d) for cid, d in ctx.newest.items()}
    rows = [{"run_id": ctx.run_id, "center_id": cid, "newest_sync_date": newest.get(cid)}
            for cid in sorted(ctx.touched)]
    if rows:
        stmt = sql.statement("ingest_center_insert", ctx.conn.dialect.name, rows[0])
        ctx.conn.execute(stmt, rows)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip() or type(exc).__name__
    first = text.splitlines()[0]
    return first if isinstance(exc, BundleError) else f"{type(exc).__name__}: {first}"


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The importer allocates millions of short-lived tuples and lists but no reference cycles; the cyclic
    collector would rescan the growing key index over and over (about a third of the CPU time of a large
    import). Paused during an import, restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_bundle(engine: Engine, path: Path, progress: bool = False,
                  rejections_dir: Path | None = None) -> ImportSummary:
    """Validate and load a bundle (folder or .zip) in one transaction; never leaves partial data.

    Returns the summary; a failed import is recorded as failed (status 'failed', error set), not raised,
    except for KeyboardInterrupt, which is recorded and re-raised.
    """
    with _gc_paused():
        return _import(engine, Path(path), progress, rejections_dir)


def _import(engine: Engine, path: Path, progress: bool, rejections_dir: Path | None) -> ImportSummary:
    directory = Path(rejections_dir) if rejections_dir is not None else config.DATA_DIR / "rejections"
    run_id = _start_run(engine, str(path))
    summary = ImportSummary(run_id=run_id, source=str(path), status="running")
    rejections = _Rejections(directory, run_id)
    try:
        _check_sqlite(engine)
        with ExitStack() as stack:
            members, ignored = _bundle_members(path, stack)
            summary.ignored_files = ignored
            for name in ignored:
                rejections.add(name, None, None, "not part of the bundle format (expected "
                               "<entity>.csv or <entity>.jsonl for the entities in docs/DATA_FORMAT.md); ignored", None)
            if not members:
                expected = ", ".join(f"{e}.csv" for e in bundle.ENTITY_ORDER)
                raise BundleError(f"no bundle files found in {path.name}: expected some of {expected}")
            with engine.begin() as conn:
                sql.execute(conn, "ingest_lock", run_id=run_id)
                ctx = _Context(conn, run_id)
                ctx.load_zones()
                ctx.load_centers()
                for entity_name in bundle.ENTITY_ORDER:
                    files = [m for m in members if m.entity == entity_name]
                    if not files:
                        continue
                    loader = _EntityLoader(ctx, bundle.ENTITIES[entity_name], summary, rejections, progress)
                    for member in files:
                        loader.load_file(member)
                    loader.finish()
                _refresh_rollups(ctx)
                _record_centers(ctx)
                rejections.flush(conn)
                summary._total()
                summary.status = "succeeded"
                _finish_run(conn, summary)
    except BaseException as exc:  # recorded as a failed run; KeyboardInterrupt is re-raised below
        summary.status = "failed"
        summary.error = _error_text(exc)
        rejections.discard_pending()
        for counts in summary.per_entity.values():
            counts["loaded"] = counts["updated"] = counts["unchanged"] = 0
        summary._total()
        summary.rejections_file = rejections.close()
        _record_failure(engine, summary, rejections)
        if not isinstance(exc, Exception):
            raise
        return summary
    summary.rejections_file = rejections.close()
    return summary


def _record_failure(engine: Engine, summary: ImportSummary, rejections: _Rejections) -> None:
    try:
        with engine.begin() as conn:
            _finish_run(conn, summary)
            batch: list[dict[str, Any]] = []
            for row in rejections.reload_rows():
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    _insert_rejections(conn, batch)
                    batch = []
            _insert_rejections(conn, batch)
    except Exception as exc:  # the database itself is gone: the summary still tells the caller
        summary.notes.append(f"the failure could not be recorded in import_run: {_error_text(exc)}")


__all__ = ["BATCH_ROWS", "BundleError", "ImportSummary", "import_bundle", "make_bulk_converter", "make_converter",
           "refresh_groups", "stage_table"]


def _id_column(codes: list[str], ids_by_code: dict[str, int], rejected: dict[str, str], what: str,
               file_name: str) -> list[int]:
    """Codes to ids; the first unknown code rejects the row, saying whether its own row was rejected."""
    ids = list(map(ids_by_code.get, codes))
    if None in ids:
        code = codes[ids.index(None)]
        where = rejected.get(code)
        why = (f"its row in {where} was rejected" if where
               else f"it is neither in {file_name} of this bundle nor in the database")
        raise _Bad(f"unknown {what} {_show(code)}: {why}", f"{what}_code")
    return ids
