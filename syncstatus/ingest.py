"""The importer: validate a sync-log bundle, quarantine bad rows, upsert the good ones, refresh the rollups.

A bundle is a folder or a .zip of `<entity>.csv` (or `<entity>.jsonl`) files, described by syncstatus.bundle
and docs/DATA_FORMAT.md. One import is one database transaction for the data: files are read as streams in
bundle.ENTITY_ORDER, a block of lines at a time (record by record where a block is not plain), each batch of rows
is checked column by column (types, allowed values, lengths, references; row by row when a batch has a bad row),
and good rows go to a temporary staging table with their place in the bundle: COPY on PostgreSQL, sent by a writer
thread so that the server stores rows while Python reads on, executemany on SQLite. Set-based statements from
queries/ingest_*.sql then resolve the keys the bundle repeats (the newest row wins, the others are superseded),
count new/changed rows
and upsert them on their natural keys; on PostgreSQL new documents are inserted chunk by chunk while the file is
still being read, and a first large load into an empty table COPYs straight into it (_Stage, _bulk_load), its
clean CSV lines as they are (_CleanLines).
Nothing is kept in memory per row, so memory does not grow with the bundle. Rejected rows are kept in
`import_rejection` and in a CSV report named after the run. The `import_run` row is committed first
(status 'running') so a failed import stays on record as 'failed' with its error, and a run whose process died
without a word (SIGKILL) is marked 'interrupted' by the next import.
"""

from __future__ import annotations

import bisect
import csv
import gc
import hashlib
import io
import json
import operator
import queue
import re
import sqlite3
import stat
import sys
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import compress
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from syncstatus import bundle, config, messages, rollup, schema, sql
from syncstatus.db import utcnow

BATCH_ROWS = 10_000
BLOCK_BYTES = 1 << 20           # CSV read a block of whole lines at a time: about 10,000 documents
CLEAN_RETRY_BLOCKS = 16         # blocks read the usual way after one where clean lines did not pay (_csv_items)
CHUNK_ROWS = 100_000            # PostgreSQL: new documents are inserted every this many staged rows
ANALYZE_ROWS = 100_000          # PostgreSQL: an import writing this many documents refreshes the ledger's statistics
BULK_LOAD_BYTES = 32 << 20     # PostgreSQL: an entity's files this large, into an empty table, load as a bulk load
BULK_INDEX_MEMORY = "256MB"    # maintenance_work_mem for the index builds after a bulk load (this transaction only)
QUEUE_BLOCKS = 8                # batches waiting for the database writer, at most (bounds memory)
RAW_ROW_CHARS = 10_000          # raw_row kept per rejection, at most
PARSE_CACHE_SIZE = 20_000       # distinct (response, platform) pairs remembered per import
REPORT_COLUMNS = ("file_name", "line_no", "column", "reason", "raw_row")
MIN_SQLITE = (3, 39, 0)         # ON CONFLICT DO UPDATE (3.24), RETURNING (3.35), IS DISTINCT FROM (3.39)
# Limits on what one bundle may make the importer hold or do (docs/DATA_FORMAT.md, "Limits"; docs/SECURITY.md):
MAX_LINE_BYTES = 4 << 20        # a physical line longer than this is rejected, read past without being held
MAX_VALUE_CHARS = MAX_LINE_BYTES  # a CSV value (one spanning lines too) longer than this: its record is rejected
MAX_JSON_DEPTH = 64             # a JSON Lines line nested deeper than this is rejected
MAX_COLUMNS = 200               # a header (or JSON object) with more columns than this is rejected
MAX_REJECTIONS = 10_000         # past this many rejections an import stops (fails, nothing loaded)
COUNT_KEYS = ("read", "loaded", "updated", "unchanged", "superseded", "rejected")


# --------------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------------
@dataclass
class ImportSummary:
    """What an import did. read = loaded + updated + unchanged + superseded + rejected, per entity and in total
    (superseded: rows of a key the bundle repeats that a newer row of the same key replaced, docs/DATA_FORMAT.md).
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
    superseded: int = 0
    rejected: int = 0
    per_entity: dict[str, dict[str, int]] = field(default_factory=dict)
    rejections_file: Path | None = None
    error: str | None = None
    ignored_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            f"read {self.read}, loaded {self.loaded}, updated {self.updated}, "
            f"unchanged {self.unchanged}, superseded {self.superseded}, rejected {self.rejected}"
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


class TooManyRejections(BundleError):
    """An import stopped at MAX_REJECTIONS: a bundle this broken is not worth reading on."""


def rejections_file_name(engine: Engine, run_id: int, at: datetime) -> str:
    """The report's file name: the run, the database (its name and a digest of its address, so that two databases
    with the same run ids never share a file) and the start time, e.g.
    import_42_syncstatus-3f9a1c2b_20240313T020000Z_rejections.csv."""
    url = engine.url
    name = Path(url.database).stem if url.get_backend_name() == "sqlite" and url.database else (url.database or "")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40] or "db"
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode("utf-8")).hexdigest()[:8]
    return f"import_{run_id}_{slug}-{digest}_{at:%Y%m%dT%H%M%S}Z_rejections.csv"


class _Rejections:
    def __init__(self, directory: Path, run_id: int, limit: int | None = None, file_name: str | None = None):
        self.path = directory / (file_name or f"import_{run_id}_rejections.csv")
        self.limit = MAX_REJECTIONS if limit is None else limit
        self.directory = directory
        self.run_id = run_id
        self.count = 0
        self._file = None
        self._writer = None
        self._pending: list[dict[str, Any]] = []

    def add(self, file_name: str, line_no: int | None, column: str | None, reason: str, raw: str | None) -> None:
        if self.count >= self.limit:
            raise TooManyRejections(
                f"stopped at {file_name}{'' if line_no is None else f' line {line_no}'}: more than {self.limit:,} rows "
                f"and problems rejected (the most one import reports, MAX_REJECTIONS); nothing was loaded. The first "
                f"{self.limit:,} are in {self.path}: fix the bundle, or check it is the right file")
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
    size: int = 0                          # bytes, uncompressed


def _bundle_members(path: Path, stack: ExitStack) -> tuple[list[_Member], list[str], list[str]]:
    """The entity files of a folder or .zip, the names of files that are not part of the format, and the names of
    symbolic links, which are never read."""
    if not path.exists():
        raise BundleError(f"{path} does not exist: give a bundle folder or a .zip file")
    entries: list[tuple[str, Callable[[], io.BufferedIOBase], int]] = []
    links: list[str] = []
    if path.is_dir():
        for p in sorted(path.iterdir()):
            if p.is_symlink():   # never followed: it may name any file the importer can read
                if not p.name.startswith("."):
                    links.append(p.name)
                continue
            if p.is_file() and not p.name.startswith("."):
                entries.append((p.name, lambda p=p: open(p, "rb", buffering=1 << 20),  # noqa: SIM115
                                p.stat().st_size))
    else:
        try:
            zf = stack.enter_context(zipfile.ZipFile(path))
        except (zipfile.BadZipFile, OSError) as exc:
            raise BundleError(f"{path.name} is neither a bundle folder nor a readable .zip file: {exc}") from None
        infos = {i.filename: i for i in zf.infolist()
                 if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                 and not i.filename.rsplit("/", 1)[-1].startswith(".")}
        for n, i in list(infos.items()):
            if stat.S_ISLNK(i.external_attr >> 16):   # a symbolic link stored as such: refused like a folder's
                links.append(n)
                del infos[n]
        names = list(infos)
        # Accept the files at the top of the zip or inside one common folder (zip of a folder).
        tops = {n.split("/", 1)[0] if "/" in n else "" for n in names}
        prefix = next(iter(tops)) + "/" if len(tops) == 1 and "" not in tops else ""
        for n in sorted(names):
            shown = n[len(prefix):] if prefix and n.startswith(prefix) else n
            entries.append((shown, lambda n=n: io.BufferedReader(zf.open(n), buffer_size=1 << 20),
                            infos[n].file_size))
    members: list[_Member] = []
    ignored: list[str] = []
    for shown, opener, size in entries:
        stem, dot, ext = shown.rpartition(".")
        if "/" not in shown and dot and stem in bundle.ENTITIES and ext.lower() in ("csv", "jsonl"):
            members.append(_Member(shown, stem, ext.lower(), opener, size))
        else:
            ignored.append(shown)
    order = {name: i for i, name in enumerate(bundle.ENTITY_ORDER)}
    members.sort(key=lambda m: (order[m.entity], m.fmt, m.name))
    return members, ignored, links


class _ByteLines:
    """A binary stream's lines and how far they were consumed: whole blocks for the fast path, one line at a time
    for the record reader. Lines handed back (a block the fast path declined) are read again first."""

    def __init__(self, stream: io.BufferedIOBase, limit: int | None = None):
        self.stream = stream
        self.limit = MAX_LINE_BYTES if limit is None else limit   # bytes a line may have, its line end included
        self.back: deque[bytes] = deque()
        self.tail = b""         # read ahead, not a whole line yet
        self.line_no = 0        # lines consumed
        self.offset = 0         # bytes consumed
        self.long: int | None = None   # the size of the line just read when it was over the limit

    def next_line(self) -> bytes | None:
        """The next line; one over the limit is read past in pieces and only its first `limit` bytes are returned,
        its size in `long`."""
        self.long = None
        if self.back:
            b = self.back.popleft()
        else:
            b, self.tail = self.tail, b""
            if len(b) <= self.limit:
                b += self.stream.readline(self.limit + 1 - len(b))
            if not b:
                return None
        size = len(b)
        if size > self.limit:
            if not b.endswith(b"\n"):
                while more := self.stream.readline(1 << 20):
                    size += len(more)
                    if more.endswith(b"\n"):
                        break
            self.long = size
            b = b[:self.limit]
        self.line_no += 1
        self.offset += size
        return b

    def block(self, size: int) -> bytes | None:
        """About `size` bytes of whole lines (the file's last line may lack its line end), b"" at the end; consumed
        by consume() or given back by hand_back(). None when a line over the limit comes: it is left for the record
        reader (next_line), which reads past it. Never holds more than about limit + size bytes."""
        data = self.tail + self.stream.read(size)
        cut = data.rfind(b"\n") + 1
        if not cut:
            parts, total = [data], len(data)
            while True:
                if total > self.limit:
                    self.tail = b"".join(parts)
                    return None
                more = self.stream.read(size)
                if not more:
                    self.tail = b""
                    return b"".join(parts)
                parts.append(more)
                total += len(more)
                end = more.rfind(b"\n")
                if end >= 0:
                    data = b"".join(parts)
                    cut = total - len(more) + end + 1
                    break
        self.tail = data[cut:]
        data = data[:cut]
        if len(data) > self.limit and max(map(len, data.split(b"\n"))) >= self.limit:
            self.hand_back(data)
            return None
        return data

    @property
    def behind(self) -> bool:
        """Lines handed back, or a line over the limit, wait for the record reader."""
        return bool(self.back) or len(self.tail) > self.limit

    def consume(self, data: bytes, lines: int) -> None:
        self.line_no += lines
        self.offset += len(data)

    def hand_back(self, data: bytes) -> None:
        *lines, last = data.split(b"\n")
        self.back.extend(line + b"\n" for line in lines)
        if last:
            self.back.append(last)


class _Lines:
    """Decoded physical lines, remembering the current record's raw text and the first encoding or NUL problem in it.
    Line 1 is the first line; a UTF-8 BOM at the start of the file is dropped."""

    def __init__(self, src: _ByteLines):
        self.src = src
        self.buf: list[str] = []
        self.problem: str | None = None
        self.eof = False
        self.cut_fields: list[str] | None = None   # the fields that fit before a line over the limit was cut

    @property
    def line_no(self) -> int:
        return self.src.line_no

    def __iter__(self) -> Iterator[str]:
        src = self.src
        buf = self.buf
        while True:
            b = src.next_line()
            if b is None:
                self.eof = True
                return
            n = src.line_no
            if src.long is not None:   # kept: its first bytes, for the report and the column; read: an empty line
                s = b.decode("utf-8", "replace")
                if self.problem is None:
                    self.problem = (f"line {n} is {src.long:,} bytes long, more than the {src.limit:,} a line may "
                                    "have (MAX_LINE_BYTES): a value is far too long; the line was skipped")
                    self.cut_fields = _cut_fields(s)
                buf.append(s)
                yield "\n"
                continue
            start = src.offset - len(b)
            try:
                s = b.decode("utf-8")
            except UnicodeDecodeError as exc:
                s = b.decode("utf-8", "replace")
                if self.problem is None:
                    self.problem = (f"not valid UTF-8 at byte offset {start + exc.start} (line {n}): "
                                    "save the file as UTF-8")
            if start == 0 and s.startswith("\ufeff"):
                s = s[1:]
            if "\x00" in s and self.problem is None:
                self.problem = f"contains a NUL character (line {n}): is this a text file?"
            buf.append(s)
            yield s

    def take(self) -> tuple[str, str | None]:
        """The raw text of the record just read and its problem; resets both."""
        buf = self.buf
        raw = buf[0] if len(buf) == 1 else "".join(buf)
        buf.clear()
        problem, self.problem = self.problem, None
        return raw, problem


def _cut_fields(text: str) -> list[str] | None:
    """The CSV fields of the start of a line cut at the limit: the last one is the value that was too long."""
    for attempt in (text, text + '"'):   # the cut may fall inside a quoted value
        try:
            return next(csv.reader([attempt.rstrip("\r\n")]), None)
        except csv.Error:
            continue
    return None


# A record: (first physical line, fields or None, problem or None, raw text)
Record = tuple[int, "list[str] | None", "str | None", str]


def _csv_records(stream: io.BufferedIOBase) -> Iterator[Record]:
    """Every record of a CSV stream, one at a time."""
    return _record_run(_ByteLines(stream), until_caught_up=False)


def _record_run(src: _ByteLines, until_caught_up: bool) -> Iterator[Record]:
    """Records one at a time with what is wrong with each; with until_caught_up, only until the lines handed back
    are read (a record that goes on past them is finished)."""
    lines = _Lines(src)
    reader = csv.reader(iter(lines))
    start = src.line_no + 1
    while not until_caught_up or src.behind:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raw, problem = lines.take()
            why = (f"a value is longer than {MAX_VALUE_CHARS:,} characters (MAX_VALUE_CHARS)"
                   if "field larger than field limit" in str(exc) else str(exc))
            yield start, lines.cut_fields, problem or f"cannot be read as CSV: {why}", raw
            lines.cut_fields = None
            start = src.line_no + 1
            continue
        raw, problem = lines.take()
        if lines.cut_fields is not None:
            fields, lines.cut_fields = lines.cut_fields, None
        if not fields and problem is None:   # blank line
            start = src.line_no + 1
            continue
        if problem is None and lines.eof and raw.count('"') % 2 == 1:
            problem = (f"unterminated quoted value starting on line {start}: the file seems cut off "
                       "(a closing \" is missing)")
        yield start, fields, problem, raw
        start = src.line_no + 1


@dataclass
class _Block:
    """Lines that are plainly rows: each line one record of the header's width."""

    start: int                  # line number of the first line
    fields: list[list[str]]
    lines: list[str]            # each row's raw text (its line without the line end)


def _read_block(data: bytes, start: int, width: int) -> _Block | None:
    """Whole lines parsed in one go when they are plainly rows: valid UTF-8 without NUL, ending with a line end,
    every line one record of `width` fields. Anything else (a value spanning lines, a blank line, a stray quote, a
    short row…) gives None, and the record reader reads the lines again and says what is wrong."""
    text = _plain_text(data)
    if text is None:
        return None
    lines = text.split("\n")
    lines.pop()
    fields = _plain_records(lines, width)
    return None if fields is None else _Block(start, fields, lines)


def _plain_text(data: bytes) -> str | None:
    """The text of a block of whole lines when it can be read in one go: valid UTF-8, no NUL, a line end last."""
    if not data.endswith(b"\n") or b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _plain_records(lines: list[str], width: int) -> list[list[str]] | None:
    """Each line as one CSV record of `width` fields; None when one is not."""
    try:
        fields = list(csv.reader(lines, strict=True))   # strict: a quoted value left open raises
    except csv.Error:
        return None
    if len(fields) != len(lines) or set(map(len, fields)) != {width}:
        return None
    return fields


def _csv_items(src: _ByteLines, width: int, block_bytes: int | None = None,
               clean: _CleanLines | None = None) -> Iterator[_Block | _Scanned | Record]:
    """The rows after the header: blocks of plain rows, and single records where a block is not plain; with
    `clean`, blocks split into clean lines and the rest (_CleanLines) where it can. A block where that did not
    pay (mostly other lines, or a value spanning lines) sends the next CLEAN_RETRY_BLOCKS blocks the usual way."""
    skip = 0
    while True:
        data = src.block(block_bytes or BLOCK_BYTES)
        if data is None:   # a line over the limit next: read past by the record reader
            yield from _record_run(src, until_caught_up=True)
            continue
        if not data:
            return
        if clean is not None and skip:
            skip -= 1
        elif clean is not None:
            scanned = clean.scan(data, src.line_no + 1)
            if scanned is None or 2 * len(scanned.others) > len(scanned.lines):
                skip = CLEAN_RETRY_BLOCKS
            if scanned is not None:
                src.consume(data, len(scanned.lines))
                yield scanned
                continue
        block = _read_block(data, src.line_no + 1, width)
        if block is not None:
            src.consume(data, len(block.lines))
            yield block
        else:
            src.hand_back(data)
            yield from _record_run(src, until_caught_up=True)


def _csv_raw_rows(stream: io.BufferedIOBase) -> Iterator[tuple[int, str]]:
    """(line number, raw text) of every record of a CSV file, header included, read the way the import read it."""
    src = _ByteLines(stream)
    header = next(_record_run(src, until_caught_up=False), None)
    if header is None:
        return
    yield header[0], header[3]
    width = len(header[1]) if header[1] is not None else -1
    for item in _csv_items(src, width):
        if type(item) is _Block:
            yield from zip(range(item.start, item.start + len(item.lines)), item.lines, strict=True)
        else:
            yield item[0], item[3]


def _jsonl_records(stream: io.BufferedIOBase) -> Iterator[tuple[int, dict | None, str | None, str]]:
    lines = _Lines(_ByteLines(stream))
    for s in lines:
        raw, problem = lines.take()
        n = lines.line_no
        if problem is not None:
            yield n, None, problem, raw
            continue
        text = s.strip()
        if not text:
            continue
        depth = _json_depth(text)
        if depth > MAX_JSON_DEPTH:
            yield n, None, (f"nested {depth:,} levels deep, more than the {MAX_JSON_DEPTH} a line may have "
                            "(MAX_JSON_DEPTH)"), raw
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            cut = "" if raw.endswith("\n") else " (the file seems cut off here)"
            yield n, None, f"not valid JSON: {exc}{cut}", raw
            continue
        except RecursionError:   # cannot happen below MAX_JSON_DEPTH; never let one line end the import
            yield n, None, f"nested too deeply (more than {MAX_JSON_DEPTH} levels)", raw
            continue
        if not isinstance(obj, dict):
            yield n, None, "each line must be one JSON object ({...}) with the column names as keys", raw
            continue
        if len(obj) > MAX_COLUMNS:
            yield n, None, f"has {len(obj):,} keys, more than the {MAX_COLUMNS} a line may have (MAX_COLUMNS)", raw
            continue
        yield n, obj, None, raw


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    """How deep a JSON text nests arrays and objects (strings skipped); counted only when it has more brackets than
    MAX_JSON_DEPTH, since it cannot be deeper than that."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if m[0] in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _problem_column(problem: str | None, fields: list[str] | None, names: list[str]) -> str | None:
    """The column a record-level problem sits in, when the fields show it."""
    if not problem or not fields:
        return None
    if problem.startswith("unterminated") or " bytes long, more than " in problem:
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
            canon = {**{old.lower(): a for old, a in col.legacy}, **{a.lower(): a for a in r.allowed}}
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
# Clean lines: a bulk load's CSV lines that need no conversion, recognised by one regular expression per block
# --------------------------------------------------------------------------------------------------
# A calendar date in the form date.fromisoformat reads and PostgreSQL stores as it is (year 0001 to 9999).
_LEAP_DAY = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
CLEAN_DATE = (r"(?!0000)(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|" + _LEAP_DAY + ")")
CLEAN_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
# An unquoted value on one line, neither starting nor ending with a blank (str.strip would change it): all of its
# characters taken at once (possessive: a value is what lies between two commas), the last one looked back at.
_VALUE = '(?!\\s)[^,"\\r\\n]{1,%s}+(?<!\\s)'


def clean_value_pattern(col: bundle.Col, db_col: sa.Column | None,
                        allowed: tuple[str, ...] | None = None) -> str | None:
    """A regular expression for the unquoted CSV values of a column that the PostgreSQL bulk path stores exactly as
    written: what make_bulk_converter would accept and hand on unchanged, after str.strip. None when the column's
    kind has no such form (a boolean, an integer with another lower bound, a decimal of unknown scale). `allowed`
    narrows a column of allowed values. Empty values are the caller's business."""
    r = _Rules.of(col, db_col, sqlite=False)
    if r.kind == "str":
        if r.allowed:
            return "(?:" + "|".join(map(re.escape, allowed if allowed is not None else r.allowed)) + ")"
        return _VALUE % ("" if r.limit is None else r.limit)
    if r.kind == "int":   # at most 9 digits: always within INT_MAX
        return {None: "-?[0-9]{1,9}", 0: "[0-9]{1,9}", 1: "(?=0*[1-9])[0-9]{1,9}"}.get(r.low)
    if r.kind == "decimal" and r.digits is not None and r.quantum is not None:   # the server pads the scale
        scale = -r.quantum.as_tuple().exponent
        return ("" if r.low is not None else "-?") + f"[0-9]{{1,{r.digits}}}(?:\\.[0-9]{{1,{scale}}})?"
    if r.kind == "date":
        return CLEAN_DATE
    if r.kind == "datetime":
        return f"{CLEAN_DATE}[T ]{CLEAN_TIME}"
    return None


@dataclass
class _Scanned:
    """A block of CSV lines as the clean-line path split it: from line `start` on, each line as COPY's CSV (the
    clean ones), and the other lines' records, (line, fields, raw text), for the usual checks; their place in
    `lines` is taken by what the checks make of them."""

    start: int
    lines: list[str | None]
    others: list[tuple[int, list[str], str]]
    centers: set[int]


class _CleanLines:
    """The fast path of a bulk load's CSV file (PostgreSQL, _Stage.bulk): a run of lines that match one regular
    expression, built from the columns' rules (clean_value_pattern), needs no conversion at all. Such lines go to the
    server as they are, in CSV form, with only the center code replaced by its id (run by run: a file usually lists
    a center's rows together) and the columns the import adds appended. Every other line (a quoted value, a value
    to convert or reject, a document whose response must be parsed, an unknown center) goes through the usual
    checks, in its place. A block with a value spanning lines, or a line of the wrong width, is left to the usual
    block and record readers whole. Used when the header names every column of the entity, center_code first."""

    SAME_CENTER = re.compile(r"^([^,\n]+),[^\n]*\n(?:\1,[^\n]*\n)*", re.M)

    def __init__(self, ctx: _Context, entity: bundle.Entity, names: list[str]):
        stage_names = STAGE_COLUMNS[entity.name]
        target = [TARGET_NAMES.get((entity.name, n), n) for n in names]
        target[0] = "center_id"
        extra: tuple[str, ...] = ()
        if entity.name == "documents":   # the parsed response's columns (none for a clean line) and the run
            extra = tuple(c for c in stage_names if c not in target) + ("import_run_id",)
        self.copy_columns = (*target, *extra)
        self.suffix = "," * len(extra) + (str(ctx.run_id) if extra else "")
        # the staged columns (and the run) of a row the usual checks passed, in copy_columns order
        self.order = [(*stage_names, "import_run_id").index(c) for c in self.copy_columns]
        tbl = schema.metadata.tables[entity.table]
        self.kinds = tuple(_copy_kind(tbl.c[c]) for c in self.copy_columns)
        self.ids = {code: str(i) for code, i in ctx.center_ids.items()}
        self.width = len(names)
        self.line = re.compile(self.line_pattern(entity, names))

    @staticmethod
    def line_pattern(entity: bundle.Entity, names: list[str]) -> str:
        """The expression for a run of clean lines with the columns in the header's order."""
        by_name = {c.name: c for c in entity.columns}
        values: list[str] = []
        for name in names:
            col = by_name[name]
            allowed = None
            required = col.required
            if entity.name == "documents":
                if name == "status":    # a failed or pending document's response is parsed: the usual path
                    allowed = tuple(s for s in col.allowed if s not in PARSED_STATUSES)
                elif name == "attempts":  # an empty one becomes 0
                    required = True
            pattern = clean_value_pattern(col, _db_column(entity, col), allowed)
            if pattern is None:
                raise _Refused
            values.append(pattern if required else f"(?:{pattern})?")
        ahead = ""
        if entity.name == "documents":   # a response without external_ref is parsed for the reference: usual path
            ext, resp = names.index("external_ref"), names.index("response")
            if resp == ext + 1:   # the usual order: an external_ref (then a response or none), or neither
                ref = clean_value_pattern(by_name["external_ref"], _db_column(entity, by_name["external_ref"]))
                values[ext:resp + 1] = [f"(?:{ref},{values[resp]}|,)"]
            else:
                ahead = rf"(?=(?:[^,\n]*,){{{ext}}}[^,\r\n]|(?:[^,\n]*,){{{resp}}}(?:,|\r?\n))"
        return "(?:" + ahead + ",".join(values) + r"\r?\n)*+"

    @classmethod
    def of(cls, ctx: _Context, entity: bundle.Entity, names: list[str]) -> _CleanLines | None:
        if sorted(names) != sorted(entity.column_names) or names[0] != "center_code":
            return None
        try:
            return cls(ctx, entity, names)
        except _Refused:
            return None

    def scan(self, data: bytes, start: int) -> _Scanned | None:
        """Split a block of whole lines (the first is line `start`); None when it is for the usual readers."""
        text = _plain_text(data)
        if text is None:
            return None
        match = self.line.match
        others: dict[int, str] = {}    # index in the block -> raw text
        pos, end, i = 0, len(text), 0
        while pos < end:
            stop = match(text, pos).end()
            if stop > pos:
                i += text.count("\n", pos, stop)
                pos = stop
                if pos == end:
                    break
            cut = text.index("\n", pos) + 1
            raw = text[pos:cut - 1]
            if raw.count('"') % 2:   # a quoted value going on past the line end
                return None
            others[i] = raw
            i += 1
            pos = cut
        text, centers = self._convert(text, others)
        lines: list[str | None] = text.split("\n")
        lines.pop()
        rows: list[tuple[int, list[str], str]] = []
        if others:
            at = sorted(others)
            fields = _plain_records([others[k] for k in at], self.width)
            if fields is None:
                return None
            rows = [(start + k, f, others[k]) for k, f in zip(at, fields, strict=True)]
        return _Scanned(start, lines, rows, centers)

    def _convert(self, text: str, others: dict[int, str]) -> tuple[str, set[int]]:
        """The block as COPY's CSV, one center's run of lines at a time: its code replaced by its id, the import's
        columns appended. A run of an unknown center joins `others` (the usual checks reject it with the reason);
        what becomes of the other lines here does not matter, the checks replace them."""
        ids = self.ids
        pieces: list[str] = []
        centers: set[int] = set()
        line = last = 0
        for run in self.SAME_CENTER.finditer(text):
            code, body = run[1], run[0]
            if run.start() > last:
                pieces.append(text[last:run.start()])
                line += text.count("\n", last, run.start())
            cid = ids.get(code)
            if cid is None:
                for k, raw in enumerate(body[:-1].split("\n"), start=line):
                    others.setdefault(k, raw)
                pieces.append(body)
            else:
                centers.add(int(cid))
                pieces.append(cid + body[len(code):].replace("\n" + code + ",", "\n" + cid + ","))
            line += body.count("\n")
            last = run.end()
        pieces.append(text[last:])
        out = "".join(pieces)
        if "\r" in out:   # only at line ends in a clean line
            out = out.replace("\r\n", "\n")
        if self.suffix:
            out = out.replace("\n", self.suffix + "\n")
        return out, centers

    def copy_lines(self, staged: Columns, run_id: int) -> list[str]:
        """CSV lines (no line end) of rows the usual checks staged, in copy_columns order."""
        cols = [*staged, [run_id] * len(staged[0])]
        return copy_csv([cols[i] for i in self.order], self.kinds)


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


def stage_table(entity: str, suffix: str = "") -> sa.Table:
    """A TEMPORARY staging table of an entity: the target's columns and types, no constraints, and `src`, where in
    the bundle the row was (file index * 2**32 + line number)."""
    target = schema.metadata.tables[bundle.ENTITIES[entity].table]
    cols = [sa.Column(c, target.c[c].type) for c in STAGE_COLUMNS[entity]]
    return sa.Table(f"stage_{entity}{suffix}", sa.MetaData(), *cols, sa.Column("src", sa.BigInteger),
                    prefixes=["TEMPORARY"])


def _clip(value: str | None, limit: int) -> str | None:
    return value if value is None or len(value) <= limit else value[:limit]


def _earliest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


class _Context:
    """What an import needs while building rows: lookups, the response parser cache, what it touched."""

    def __init__(self, conn: Connection, run_id: int):
        self.conn = conn
        self.run_id = run_id
        self.sqlite = conn.dialect.name == "sqlite"
        self.postgres = conn.dialect.name == "postgresql"
        self.true = 1 if self.sqlite else True
        self.zones: dict[str, int] = {}
        self.center_ids: dict[str, int] = {}
        self.center_codes: dict[int, str] = {}
        self.platforms: dict[str, str] = {}
        self.rejected_centers: dict[str, str] = {}   # center_code -> where its row was rejected
        self.rejected_zones: dict[str, str] = {}
        self.touched: set[int] = set()
        self.newest: dict[int, date] = {}
        self.config_changed: dict[int, date] = {}   # center -> earliest effective date of a new or changed config
        self.doc_ranges: dict[int, tuple[date, date]] = {}
        self.bulk_tables: set[str] = set()            # tables this import loads as a bulk load (PostgreSQL)
        self.progress = False
        self._parsed: dict[tuple[str | None, str | None], messages.ParsedResponse] = {}
        self.writer = _Writer(conn, threaded=self.postgres)

    def load_zones(self) -> None:
        self.zones = {code: int(i) for code, i in sql.execute(self.conn, "ingest_zone_codes")}

    def load_centers(self) -> None:
        rows = sql.execute(self.conn, "ingest_center_codes").all()
        self.center_ids = {code: int(i) for code, i, _ in rows}
        self.center_codes = {i: code for code, i in self.center_ids.items()}
        self.platforms = {code: p for code, _, p in rows}

    def center_id_column(self, codes: list[str]) -> list[int]:
        return _id_column(codes, self.center_ids, self.rejected_centers, "center", "centers.csv")

    def zone_id_column(self, codes: list[str]) -> list[int]:
        return _id_column(codes, self.zones, self.rejected_zones, "zone", "zones.csv")

    def documents_changed(self, center_id: int, first: date | str | None, last: date | str | None) -> None:
        """Sync dates of a center whose documents changed (their rollup is recounted)."""
        if first is None or last is None:
            return
        lo, hi = rollup._as_date(first, rollup.MIN_DATE), rollup._as_date(last, rollup.MAX_DATE)
        old = self.doc_ranges.get(center_id)
        self.doc_ranges[center_id] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))

    def documents_seen(self, center_id: int, newest: date | str | None) -> None:
        """The newest sync date a center's staged documents brought."""
        if newest is not None:
            self.newest[center_id] = _latest(self.newest.get(center_id), rollup._as_date(newest, rollup.MIN_DATE))

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


def _or_default(values: list[Any], default: Any) -> list[Any]:
    return [default if v is None else v for v in values] if None in values else values


def _build_zones(ctx: _Context, c: Columns) -> Columns:
    return [c[0], c[1]]


def _build_centers(ctx: _Context, c: Columns) -> Columns:
    return [c[0], c[1], ctx.zone_id_column(c[2]), c[3], [v or "UTC" for v in c[4]], _or_default(c[5], ctx.true)]


def _build_center_rest(ctx: _Context, c: Columns) -> Columns:
    """center_code first, then the bundle columns in order, straight into the staging columns."""
    return [ctx.center_id_column(c[0]), *c[1:]]


def _build_sync_jobs(ctx: _Context, c: Columns) -> Columns:
    return [ctx.center_id_column(c[0]), c[1], c[2], _or_default(c[3], "")]


def _build_job_runs(ctx: _Context, c: Columns) -> Columns:
    return [ctx.center_id_column(c[0]), c[1], c[2], c[3], c[4], _or_default(c[5], 0), _or_default(c[6], 0), c[7]]


def _build_accounts(ctx: _Context, c: Columns) -> Columns:
    return [ctx.center_id_column(c[0]), c[1], c[2], c[3], _or_default(c[4], ctx.true), c[5], c[6]]


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
    codes, statuses, ext, raws = c[0], c[5], c[9], c[10]
    rcode: list[str | None] = [None] * n
    category: list[str | None] = [None] * n
    message: list[str | None] = [None] * n
    reference: list[str | None] = [None] * n
    parsed = PARSED_STATUSES
    todo = list(compress(range(n), map(parsed.__contains__, statuses)))   # failed or pending
    if raws.count(None) < n:   # ... or with a response but no external_ref
        todo = sorted({*todo, *(i for i in compress(range(n), raws) if ext[i] is None)})
    if todo:
        platforms = ctx.platforms
        ext = list(ext)
        for i in todo:
            p = ctx.parse(raws[i], platforms.get(codes[i]))
            rcode[i], category[i], message[i] = _clip(p.code, 60), _clip(p.category, 40), p.message
            reference[i] = _clip(p.reference, 200)
            if ext[i] is None and p.external_ref:
                ext[i] = _clip(p.external_ref, 100)
    return [ids, c[1], c[2], c[3], c[4], statuses, c[6], _or_default(c[7], 0), c[8], ext, raws,
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
# Staging writes: COPY text built column by column, sent by a writer thread on PostgreSQL
# --------------------------------------------------------------------------------------------------
COPY_NULL = "\\N"
_COPY_BOOL = {True: "t", False: "f", None: COPY_NULL}
_COPY_SPECIAL = ("\\", "\t", "\n", "\r")


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_kind(column: sa.Column) -> str:
    if isinstance(column.type, sa.Boolean):
        return "bool"
    return "int" if isinstance(column.type, sa.Integer) else "text"


def copy_text(cols: Columns, kinds: tuple[str, ...]) -> str:
    """Staging columns as the text format of COPY: a line per row, tab-separated, \\N for no value, backslash
    escapes in text. Built column by column (what needs no escaping is not escaped)."""
    out: list[list[str] | tuple[str, ...]] = []
    for col, kind in zip(cols, kinds, strict=True):
        if kind == "int":
            col = [COPY_NULL if v is None else str(v) for v in col] if None in col else list(map(str, col))
        elif kind == "bool":
            col = list(map(_COPY_BOOL.__getitem__, col))
        else:
            nulls = col.count(None)
            if nulls == len(col):
                out.append([COPY_NULL] * nulls)
                continue
            text = "".join(filter(None, col))
            if any(ch in text for ch in _COPY_SPECIAL):
                col = [v if v is None else _copy_escape(v) for v in col]
            if nulls:
                col = [COPY_NULL if v is None else v for v in col]
        out.append(col)
    return "\n".join(map("\t".join, zip(*out, strict=True))) + "\n"


_CSV_QUOTE = (",", '"', "\r", "\n")


def _csv_value(value: str | None) -> str:
    if value is None:
        return ""
    return '"' + value.replace('"', '""') + '"' if not value or any(ch in value for ch in _CSV_QUOTE) else value


def copy_csv(cols: Columns, kinds: tuple[str, ...]) -> list[str]:
    """Staging columns as lines of COPY's CSV format, without line ends: an empty field for no value, quotes where
    needed (an empty text is quoted, so it stays a text and not a NULL)."""
    out: list[list[str]] = []
    for col, kind in zip(cols, kinds, strict=True):
        if kind == "bool":
            out.append(["" if v is None else "t" if v else "f" for v in col])
        elif kind == "int":
            out.append(["" if v is None else str(v) for v in col])
        elif "" in col or any(ch in "".join(filter(None, col)) for ch in _CSV_QUOTE):
            out.append(list(map(_csv_value, col)))
        else:   # nothing to quote
            out.append(["" if v is None else v for v in col] if None in col else col)
    return list(map(",".join, zip(*out, strict=True)))


class _Writer:
    """The import's database work while its files are read, done in the order it is handed over. On PostgreSQL it
    runs on a thread of its own, so that the server stores one block of rows (and inserts a chunk of documents)
    while Python reads and validates the next: two processes, both cores busy. A short queue between the two
    bounds memory. On SQLite the work is done at once, in the calling thread."""

    def __init__(self, conn: Connection, threaded: bool):
        self.conn = conn
        self._copy: tuple[str, ExitStack, Any] | None = None   # (statement, its resources, the open COPY)
        self.error: BaseException | None = None
        self.cancelled = False
        self.queue: queue.Queue | None = None
        self.thread: threading.Thread | None = None
        if threaded:
            self.queue = queue.Queue(QUEUE_BLOCKS)
            self.thread = threading.Thread(target=self._run, name="syncstatus-import-writer", daemon=True)
            self.thread.start()

    def submit(self, fn: Callable[..., None], *args: Any, copying: bool = False) -> None:
        """Have fn(*args) done in turn; it runs statements, so an open COPY is finished first unless `copying`
        (fn only adds to the COPY)."""
        if self.queue is None:
            self._do(fn, args, copying)
            return
        if self.error is not None:
            raise self.error
        self.queue.put((fn, args, copying))

    def wait(self) -> None:
        """Return once everything handed over is done and no COPY is open; raise what the writer failed with."""
        self.submit(self.end_copy)
        if self.queue is not None:
            done = threading.Event()
            self.queue.put((None, (done,), False))
            done.wait()
            if self.error is not None:
                raise self.error

    def _do(self, fn: Callable[..., None], args: tuple, copying: bool) -> None:
        if not copying:
            self.end_copy()
        fn(*args)

    def close(self, failed: bool) -> None:
        """Stop the thread; after a failure, drop the work still queued (the transaction rolls back anyway)."""
        if self.queue is not None and self.thread is not None and self.thread.is_alive():
            self.cancelled = failed
            self.queue.put(None)
            self.thread.join()
        if failed:
            self._abort_copy()
        else:
            self.end_copy()

    def _run(self) -> None:
        assert self.queue is not None
        while True:
            job = self.queue.get()
            if job is None:
                return
            fn, args, copying = job
            if fn is None:         # wait()'s marker
                args[0].set()
            elif self.error is None and not self.cancelled:
                try:
                    self._do(fn, args, copying)
                except BaseException as exc:   # handed to the reading thread at its next submit or wait
                    self.error = exc
                    self._abort_copy()

    # -- COPY, on the writer's side ---------------------------------------------------------------------
    def copy(self, table: str, columns: tuple[str, ...], text: str, csv_format: bool = False) -> None:
        """Append COPY text (or CSV) to a table, keeping one COPY open across blocks."""
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN" + (" WITH (FORMAT csv)" if csv_format else "")
        if self._copy is not None and self._copy[0] != statement:
            self.end_copy()
        if self._copy is None:
            stack = ExitStack()
            cur = stack.enter_context(self.conn.connection.driver_connection.cursor())
            # identifiers of our own tables and columns, never data
            cp = stack.enter_context(cur.copy(statement))
            self._copy = (statement, stack, cp)
        self._copy[2].write(text)

    def end_copy(self) -> None:
        """Finish an open COPY: needed before any other statement."""
        if self._copy is not None:
            stack = self._copy[1]
            self._copy = None
            stack.close()

    def _abort_copy(self) -> None:
        if self._copy is not None:
            stack = self._copy[1]
            self._copy = None
            with suppress(Exception):
                stack.__exit__(RuntimeError, RuntimeError("import stopped"), None)


class _Ordinals:
    """Where in the bundle the rows of a bulk load's COPY came from: the n-th row COPYed (0-based) came from src
    ordinals.src(n). Kept as runs of consecutive places (a clean file is one run per file), so memory does not grow
    with the rows."""

    def __init__(self) -> None:
        self.starts: list[int] = []   # the ordinal of each run's first row
        self.srcs: list[int] = []     # the src of each run's first row
        self.count = 0

    def add(self, srcs: list[int]) -> None:
        """The places of the next rows COPYed, in order (increasing)."""
        if srcs[-1] - srcs[0] == len(srcs) - 1:   # the usual batch: consecutive lines
            self.run(srcs[0], len(srcs))
            return
        first = prev = srcs[0]
        for src in srcs[1:]:
            if src != prev + 1:
                self.run(first, prev - first + 1)
                first = src
            prev = src
        self.run(first, prev - first + 1)

    def run(self, src: int, n: int) -> None:
        """n rows from consecutive places, the first at src."""
        if not (self.srcs and self.srcs[-1] + self.count - self.starts[-1] == src):
            self.starts.append(self.count)
            self.srcs.append(src)
        self.count += n

    def src(self, ordinal: int) -> int:
        if not 0 <= ordinal < self.count:
            raise IndexError(f"row {ordinal} of a COPY of {self.count} rows")
        i = bisect.bisect_right(self.starts, ordinal) - 1
        return self.srcs[i] + ordinal - self.starts[i]


# Entities whose upsert is a plain copy of the staged columns: on a bulk load into an empty table (PostgreSQL) their
# rows are COPYed straight into it and their unique keys built after them (_Stage; ingest_upsert_<entity> otherwise).
PLAIN_INSERTS = frozenset({"sale_orders", "sale_order_lines", "payments", "misc_journals", "stock_orders"})

# Entities whose new rows are inserted chunk by chunk while the bundle is read (PostgreSQL), with the staging
# columns of their natural key: the ledger, by far the largest file.
EAGER_KEYS: dict[str, tuple[str, ...]] = {"documents": ("center_id", "kind", "document_no")}


class _Stage:
    """An entity's staging tables and the rows written to them.

    Every row goes to stage_<entity> with its place in the bundle (`src`), where set-based statements find repeated
    keys and classify the rest at the end. For documents on PostgreSQL, rows go first to a chunk table; every
    CHUNK_ROWS rows the chunk's documents whose key is not stored yet are inserted into the ledger at once
    (ingest_insert_documents_chunk), so that the insert overlaps reading. A chunk whose rows were all inserted leaves
    only its keys behind (stage_documents_keys: a later row repeating one brings it back, _supersede_staged); a
    chunk with stored keys among it joins stage_documents for the end, and when most of a chunk was already stored
    (a re-import) the rest of the file is staged for the end directly.

    A bulk load (PostgreSQL, an empty table _plan_bulk_loads chose; the ledger and the PLAIN_INSERTS entities) has no
    staging at all: the rows are COPYed straight into the target, whose keys (unique and primary) are dropped for the
    load (_drop_keys) and built once after it (_EntityLoader._restore_keys). The COPY numbers the rows in
    bundle order (`ordinals` checks that ids and rows match), so a later line has a higher id when a key the bundle
    repeats makes that build fail and the superseded rows are deleted."""

    def __init__(self, ctx: _Context, entity: str):
        self.ctx = ctx
        self.entity = entity
        self.table = stage_table(entity)
        self.columns = tuple(c.name for c in self.table.c)
        self.kinds = tuple(_copy_kind(c) for c in self.table.c)
        self.rows = 0          # staged (or, in a bulk load, COPYed into the target)
        self.pending = 0       # in stage_<entity>, for the set-based statements at the end
        self.inserted = 0      # inserted chunk by chunk, or COPYed in a bulk load
        self.eager = ctx.postgres and entity in EAGER_KEYS
        self.target = schema.metadata.tables[bundle.ENTITIES[entity].table]
        # PostgreSQL: a bulk load into an empty table, COPYed straight into it, its unique keys built after the rows
        self.bulk = ctx.postgres and (entity in EAGER_KEYS or entity in PLAIN_INSERTS) and \
            self.target.name in ctx.bulk_tables
        self.chunk: sa.Table | None = None
        self.keys: sa.Table | None = None
        self.chunk_rows = 0
        self.chunk_spans: dict[int, list[str]] = {}   # center -> [first, last] sync date in the chunk
        self.present: set[int] = set()
        self.dropped_keys: list[Deferred] = []       # the primary and unique keys a bulk load dropped
        self.ordinals = _Ordinals()                  # a bulk load: the place in the bundle of the n-th row COPYed
        tables = []
        if self.bulk:
            self.eager = False
            extra = ("import_run_id",) if "import_run_id" in self.target.c else ()
            self.target_columns = STAGE_COLUMNS[entity] + extra
            self.target_kinds = tuple(_copy_kind(self.target.c[c]) for c in self.target_columns)
        else:
            tables.append(self.table)
        if self.eager:
            target = self.target
            self.chunk = stage_table(entity, "_chunk")
            self.keys = sa.Table(f"stage_{entity}_keys", sa.MetaData(),
                                 *(sa.Column(k, target.c[k].type) for k in EAGER_KEYS[entity]),
                                 sa.Column("src", sa.BigInteger), prefixes=["TEMPORARY"])
            tables += [self.chunk, self.keys]
            # centers with documents before the current chunk: only their rows need a look at the ledger
            self.present = {int(r.center_id) for r in sql.execute(ctx.conn, f"ingest_{entity}_centers")}
        for t in tables:
            # A leftover of an interrupted import on a pooled connection (SQLite may have created it outside the
            # transaction) must not stop this one.
            ctx.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {t.name}")
            t.create(ctx.conn)
        self.tables = tables
        if self.bulk:
            self._drop_keys()

    def _drop_keys(self) -> None:
        """A bulk load into an empty table (_bulk_load) of the ledger or of a PLAIN_INSERTS entity: its unique keys and
        its primary key (unless another table refers to it) go too, and finish() builds them again after the rows,
        the primary key first. Nothing is probed while the rows go in: a key the bundle repeats makes the build fail,
        and only then are the repeats resolved (_EntityLoader._supersede_loaded)."""
        self.dropped_keys = _drop_deferrable(self.ctx.conn, self.target.name, ("primary key", "unique key"))

    def write(self, cols: Columns, srcs: list[int]) -> None:
        """Hand a batch of staging columns (and their places) to the writer."""
        if not srcs:
            return
        if self.bulk:
            if self.entity in EAGER_KEYS:   # the ledger: its rows carry the run
                cols = [*cols, [str(self.ctx.run_id)] * len(srcs)]
            self.ordinals.add(srcs)
            self.ctx.writer.submit(self._copy_bulk, copy_text(cols, self.target_kinds), len(srcs), copying=True)
        elif self.ctx.postgres:
            spans = _merge_spans({}, cols[0], cols[3]) if self.eager else None
            self.ctx.writer.submit(self._copy, copy_text([*cols, srcs], self.kinds), len(srcs), spans, copying=True)
        else:
            self.ctx.writer.submit(self._insert, list(zip(*cols, srcs, strict=True)))

    def _insert(self, rows: list[tuple]) -> None:
        marks = ", ".join("?" for _ in self.columns)
        self.ctx.conn.exec_driver_sql(f"INSERT INTO {self.table.name} ({', '.join(self.columns)}) VALUES ({marks})",
                                      rows)
        self.rows += len(rows)
        self.pending += len(rows)

    # -- on the writer's side (PostgreSQL) ----------------------------------------------------------------
    def _copy_bulk(self, text: str, n: int) -> None:
        """A bulk load: the rows go straight into the target, one COPY for the whole entity."""
        self.ctx.writer.copy(self.target.name, self.target_columns, text)
        self.rows += n
        self.inserted += n

    def copy_csv(self, columns: tuple[str, ...], text: str, n: int) -> None:
        """A bulk load's clean lines (_CleanLines), in CSV, straight into the target."""
        self.ctx.writer.copy(self.target.name, columns, text, csv_format=True)
        self.rows += n
        self.inserted += n

    def _copy(self, text: str, n: int, spans: dict[int, list[str]] | None) -> None:
        self.rows += n
        if not self.eager:
            self.ctx.writer.copy(self.table.name, self.columns, text)
            self.pending += n
            return
        assert self.chunk is not None and spans is not None
        self.ctx.writer.copy(self.chunk.name, self.columns, text)
        self.chunk_rows += n
        for cid, (lo, hi) in spans.items():
            span = self.chunk_spans.setdefault(cid, [lo, hi])
            span[0], span[1] = min(span[0], lo), max(span[1], hi)
        if self.chunk_rows >= CHUNK_ROWS:
            self.insert_chunk()

    def insert_chunk(self) -> None:
        """Insert the chunk's new documents; keep what the end still needs of the chunk."""
        if not self.chunk_rows or self.chunk is None:
            return
        ctx = self.ctx
        ctx.writer.end_copy()
        fresh = [cid for cid in self.chunk_spans if cid not in self.present]
        inserted = sql.execute(ctx.conn, f"ingest_insert_{self.entity}_chunk", run_id=ctx.run_id,
                               fresh_centers=fresh).rowcount
        self.present.update(self.chunk_spans)
        if inserted:   # the chunk's sync dates: exactly those of the new rows when all were new, else a cover
            for cid, (first, last) in self.chunk_spans.items():
                ctx.documents_changed(cid, first, last)
                if inserted == self.chunk_rows:
                    ctx.documents_seen(cid, last)
        if inserted == self.chunk_rows:
            sql.execute(ctx.conn, f"ingest_keep_{self.entity}_chunk_keys")
        else:
            sql.execute(ctx.conn, f"ingest_keep_{self.entity}_chunk_rows")
            self.pending += self.chunk_rows
            if 2 * inserted < self.chunk_rows:   # mostly stored already: the rest is classified at the end
                self.eager = False
        ctx.conn.exec_driver_sql(f"TRUNCATE {self.chunk.name}")
        self.inserted += inserted
        self.chunk_rows = 0
        self.chunk_spans = {}

    def analyze(self) -> None:
        """PostgreSQL: statistics for the planner before the set-based statements join staging to the target."""
        self.ctx.conn.exec_driver_sql(f"ANALYZE {self.table.name}")

    def drop(self) -> None:
        for t in self.tables:
            t.drop(self.ctx.conn)


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
        self.key_text = ", ".join(entity.key)
        self.center_scoped = entity.refs.get("center_code") == "centers"
        self.members: list[_Member] = []       # the files read, in order: src's file index
        self.converters = [make_converter(c, _db_column(entity, c), ctx.sqlite) for c in entity.columns]
        self.bulk = [make_bulk_converter(c, _db_column(entity, c), ctx.sqlite) for c in entity.columns]
        self.required = [c.required for c in entity.columns]
        self.stage = _Stage(ctx, entity.name)
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

    def flush_rejections(self) -> None:
        rows = self.rejections.take_pending()
        if rows:
            self.ctx.writer.submit(_insert_rejections, self.ctx.conn, rows)

    # -- batches ---------------------------------------------------------------------------------
    def process(self, file_name: str, positions: list[int], bar=None) -> None:
        """Validate, stage and count the pending rows: the whole batch column by column when it is clean,
        else row by row, rejecting the bad rows with their reasons."""
        rows, self.pending = self.pending, []
        if rows:
            staged, lines = self._check(file_name, rows, positions)
            if bar is not None:
                bar.update(len(rows))
            self.stage.write(staged, list(map((len(self.members) - 1 << 32).__or__, lines)))
        self.flush_rejections()

    def _check(self, file_name: str, rows: list[Pending], positions: list[int]) -> tuple[Columns, list[int]]:
        """The staging columns of the good rows and their line numbers; the bad rows are rejected."""
        try:
            return self._fast(rows, positions), list(map(_first, rows))
        except (_Refused, _Bad, ValueError, KeyError, TypeError, ArithmeticError):
            return self._slow(file_name, rows, positions)

    def _write_scanned(self, file_name: str, scanned: _Scanned, clean: _CleanLines, positions: list[int],
                       bar=None) -> None:
        """A block _CleanLines split: its other lines checked as usual, then every good row COPYed in line order."""
        stage = self.stage
        lines = scanned.lines
        start = scanned.start
        rejected: list[int] = []
        if scanned.others:
            staged, good = self._check(file_name, scanned.others, positions)
            checked = dict(zip(good, clean.copy_lines(staged, self.ctx.run_id), strict=True)) if good else {}
            for line_no, _, _ in scanned.others:
                text = lines[line_no - start] = checked.get(line_no)
                if text is None:
                    rejected.append(line_no)
        base = len(self.members) - 1 << 32
        first = start
        for line_no in (*rejected, start + len(lines)):   # the runs of lines between the rejected ones
            if line_no > first:
                stage.ordinals.run(base | first, line_no - first)
            first = line_no + 1
        n = len(lines) - len(rejected)
        self.ctx.touched.update(scanned.centers)
        if bar is not None:
            bar.update(len(lines))
        if n:
            text = "\n".join(filter(None, lines) if rejected else lines) + "\n"
            self.ctx.writer.submit(stage.copy_csv, clean.copy_columns, text, n, copying=True)
        self.flush_rejections()

    def _commit(self, cols: Columns, staged_cols: Columns) -> None:
        """Remember what the staged rows touched."""
        if self.center_scoped:
            self.ctx.touched.update(staged_cols[0])
        elif self.entity.name == "centers":
            self.staged_codes.extend(cols[0])

    def _fast(self, rows: list[Pending], positions: list[int]) -> Columns:
        n = len(rows)
        by_position = list(zip(*map(_second, rows), strict=True))
        cols: Columns = []
        for pos, bulk, required in zip(positions, self.bulk, self.required, strict=True):
            if pos < 0:
                if required:
                    raise _Refused
                cols.append([None] * n)
                continue
            vals = list(map(str.strip, by_position[pos]))
            if "" in vals:
                if required:
                    raise _Refused
                given = list(filter(None, vals))
                if not given:
                    cols.append([None] * n)
                    continue
                out = bulk(given)
                if out is given:   # text kept as it is: the values themselves, None where empty
                    cols.append([v or None for v in vals])
                else:
                    it = iter(out)
                    cols.append([next(it) if v else None for v in vals])
            else:
                cols.append(bulk(vals))
        staged_cols = self.build(self.ctx, cols)
        self._commit(cols, staged_cols)
        return staged_cols

    def _slow(self, file_name: str, rows: list[Pending], positions: list[int]) -> tuple[Columns, list[int]]:
        staged: list[tuple] = []
        lines: list[int] = []
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
                cols = [[v] for v in vals]
                staged_cols = self.build(self.ctx, cols)
            except _Bad as bad:
                code = values[first].strip() if first >= 0 else None
                self.reject(file_name, line_no, bad.column, bad.reason, raw, code)
                continue
            self._commit(cols, staged_cols)
            staged.append(tuple(c[0] for c in staged_cols))
            lines.append(line_no)
        ncols = len(STAGE_COLUMNS[self.entity.name])
        return ([list(c) for c in zip(*staged, strict=True)] if staged else [[] for _ in range(ncols)]), lines

    def _bar(self, name: str):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(desc=name, unit=" rows", file=sys.stderr, leave=True, dynamic_ncols=True)

    # -- files -----------------------------------------------------------------------------------
    def load_file(self, member: _Member) -> None:
        self.members.append(member)
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
        self.flush_rejections()

    def _load_csv(self, name: str, stream: io.BufferedIOBase, bar) -> None:
        src = _ByteLines(stream)
        header = next(_record_run(src, until_caught_up=False), None)
        expected = ", ".join(self.entity.column_names)
        if header is None:
            self.rejections.add(name, None, None, "the file is empty: expected a header row with the columns "
                                f"{expected}", None)
            return
        rest = _record_run(src, until_caught_up=False)
        _, fields, problem, raw = header
        if problem is not None or fields is None:
            self._reject_file(name, rest, None, f"the header row is unusable ({problem or 'cannot be read'})", raw)
            return
        if len(fields) > MAX_COLUMNS:
            self._reject_file(name, rest, None, f"the header has {len(fields):,} columns, more than the {MAX_COLUMNS} a "
                              f"file may have (MAX_COLUMNS; expected columns: {expected})", raw)
            return
        names = [f.strip().lower() for f in fields]
        dupes = sorted({n for n in names if n and names.count(n) > 1})
        missing = [c.name for c in self.entity.columns if c.required and c.name not in names]
        if missing:
            what = (f"missing required column {missing[0]!r}" if len(missing) == 1
                    else "missing required columns " + ", ".join(repr(m) for m in missing))
            self._reject_file(name, rest, ", ".join(missing),
                              f"{what} in the header (expected columns: {expected})", raw)
            return
        if dupes:
            self._reject_file(name, rest, ", ".join(dupes),
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
        first = positions[0]
        read = 0
        clean = _CleanLines.of(self.ctx, self.entity, names) if self.stage.bulk else None
        for item in _csv_items(src, width, clean=clean):
            if type(item) is _Scanned:
                if self.pending:  # keep the rows in line order
                    self.process(name, positions, bar)
                read += len(item.lines)
                self._write_scanned(name, item, clean, positions, bar)
                continue
            if type(item) is _Block:
                n = len(item.lines)
                read += n
                self.pending.extend(zip(range(item.start, item.start + n), item.fields, item.lines, strict=True))
                if len(self.pending) >= BATCH_ROWS:
                    self.process(name, positions, bar)
                continue
            line_no, fields, problem, raw = item
            read += 1
            if problem is None and len(fields) == width:
                self.pending.append((line_no, fields, raw))
                if len(self.pending) >= BATCH_ROWS:
                    self.process(name, positions, bar)
            elif problem is not None or fields is None:
                if self.pending:  # keep the report in line order
                    self.process(name, positions, bar)
                code = fields[first].strip() if fields and len(fields) > first else None
                self.reject(name, line_no, _problem_column(problem, fields, names), problem or "cannot be read",
                            raw, code)
            else:
                if self.pending:
                    self.process(name, positions, bar)
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
        for line_no, obj, problem, raw in _jsonl_records(stream):
            self.counts["read"] += 1
            if obj is None:
                if self.pending:  # keep the report in line order
                    self.process(name, positions, bar)
                self.reject(name, line_no, None, problem or "cannot be read", raw)
                continue
            if not known.issuperset(obj):
                unknown_seen.update(k for k in obj if k not in known)
            values = [_json_text(obj.get(c)) for c in colnames]
            bad = _bad_characters(values)
            if bad is not None:
                if self.pending:
                    self.process(name, positions, bar)
                self.reject(name, line_no, colnames[bad[0]], bad[1], raw, values[0].strip())
                continue
            self.pending.append((line_no, values, raw))
            if len(self.pending) >= BATCH_ROWS:
                self.process(name, positions, bar)
        self.process(name, positions, bar)
        if unknown_seen:
            self.summary.notes.append(f"{name}: key(s) {', '.join(sorted(unknown_seen))} are not part of the "
                                      "format and were ignored")

    # -- database side -------------------------------------------------------------------------------
    def _supersede_staged(self) -> int:
        """Resolve the keys the bundle repeats among the staged rows (docs/DATA_FORMAT.md, repeated keys): the newest
        row of a key wins (documents: the latest last_attempt_at, then the later line; other entities: the later line),
        the others are dropped, counted as superseded (not rejected). Documents keep the largest attempts of their
        key. On PostgreSQL, documents an earlier chunk inserted come back to staging first when the bundle repeats
        their key, and leave the ledger, so that the winner is inserted at the end. Returns how many rows were
        superseded."""
        conn = self.ctx.conn
        name = self.entity.name
        stage = self.stage
        if stage.keys is not None:
            restaged = sql.execute(conn, f"ingest_restage_{name}").rowcount
            if restaged:
                sql.execute(conn, f"ingest_forget_{name}_keys")
                stage.pending += restaged   # rows of the bundle counted already (stage.rows), staged again
        found = int(sql.execute(conn, f"ingest_repeats_{name}").scalar_one())
        if not found:
            return 0
        if name == "documents":
            sql.execute(conn, "ingest_repeat_attempts_documents")
        if stage.keys is not None:
            unstored = sql.execute(conn, f"ingest_unstore_{name}", run_id=self.ctx.run_id).rowcount
            stage.inserted -= unstored   # the key's winner is inserted (loaded) at the end instead
        dropped = sql.execute(conn, f"ingest_supersede_{name}").rowcount
        if dropped != found:
            raise RuntimeError(f"{self.entity.table}: {found} rows repeat a key but {dropped} were superseded")
        return found

    def _restore_keys(self) -> int:
        """After a bulk load: build the table's primary and unique keys again. A build that fails on a key the
        bundle repeats rolls back to its savepoint; the repeats are then resolved (the newest row of a key stays, as
        on the row-by-row path) and the build runs again. Returns how many rows were superseded."""
        conn = self.ctx.conn
        table = self.stage.target.name
        found = 0
        for key in self.stage.dropped_keys:
            try:
                with conn.begin_nested():
                    _build_deferred(self.ctx, table, key)
            except sa.exc.IntegrityError:
                found += self._supersede_loaded(key[1])
                _build_deferred(self.ctx, table, key)
        return found

    def _supersede_loaded(self, key_name: str) -> int:
        """A bulk load whose unique key `key_name` would not build: delete the rows a newer row with the same key
        supersedes, in SQL, as _supersede_staged does on staging (documents: the latest last_attempt_at, then the
        later line, keeping the key's largest attempts; others: the later line). The table was empty and the COPY
        numbered the rows in bundle order, so a later line has a higher id. Returns how many rows were deleted."""
        conn = self.ctx.conn
        stage = self.stage
        t = stage.target
        cols = next(list(c.columns) for c in t.constraints if isinstance(c, sa.UniqueConstraint) and c.name == key_name)
        lowest, highest = conn.execute(sa.select(sa.func.min(t.c.id), sa.func.max(t.c.id))).one()
        if highest - lowest + 1 != stage.ordinals.count:   # ids not one per row COPYed: bundle order is unknown
            raise RuntimeError(f"{t.name}: {stage.ordinals.count} rows were loaded but their ids span "
                               f"{lowest}..{highest}; the repeated keys cannot be resolved")
        e = t.alias("e")
        same_key = sa.and_(*(e.c[c.name] == c for c in cols))
        if "last_attempt_at" in t.c:   # the ledger: the newest attempt wins, and the key keeps its largest attempts
            most = (sa.select(*cols, sa.func.max(t.c.attempts).label("most")).group_by(*cols)
                    .having(sa.func.count() > 1, sa.func.min(t.c.attempts) < sa.func.max(t.c.attempts)).subquery("m"))
            conn.execute(sa.update(t).values(attempts=most.c.most)
                         .where(*(c == most.c[c.name] for c in cols), t.c.attempts < most.c.most))
            newer = sa.or_(e.c.last_attempt_at > t.c.last_attempt_at,
                           sa.and_(e.c.last_attempt_at.is_not(None), t.c.last_attempt_at.is_(None)),
                           sa.and_(e.c.last_attempt_at.is_not_distinct_from(t.c.last_attempt_at), e.c.id > t.c.id))
        else:
            newer = e.c.id > t.c.id
        found = conn.execute(sa.delete(t).where(sa.exists(sa.select(sa.literal(1)).select_from(e)
                                                          .where(same_key, newer)))).rowcount
        if not found:
            raise RuntimeError(f"{t.name}: the key {key_name} would not build, yet no row repeats it")
        return found

    def finish(self) -> None:
        """After the last file: resolve repeated keys (the newest row wins), then count and write the staged rows
        set-based (one classifying SELECT, then one upsert, or INSERT + UPDATE for documents), and refresh the lookups
        the next entities need."""
        ctx = self.ctx
        conn = ctx.conn
        name = self.entity.name
        stage = self.stage
        ctx.writer.submit(stage.insert_chunk)
        ctx.writer.wait()
        # a bulk load: every row was COPYed into the table, the superseded rows of repeated keys go now
        superseded = self._restore_keys() if stage.bulk else 0
        stage.inserted -= superseded
        staged = self._supersede_staged() if stage.pending else 0
        stage.pending -= staged
        superseded += staged
        new = changed = 0
        if stage.pending:
            if ctx.postgres:
                stage.analyze()
            rows = sql.execute(conn, f"ingest_classify_{name}").mappings().all()
            new = sum(int(r["new_rows"] or 0) for r in rows)
            changed = sum(int(r["changed_rows"] or 0) for r in rows)
            if name == "sync_configs":
                for r in rows:
                    if r["changed_from"] is not None:
                        cid, since = int(r["center_id"]), _dates(r["changed_from"])[0]
                        ctx.config_changed[cid] = min(since, ctx.config_changed.get(cid, since))
            elif name == "documents":
                for r in rows:
                    cid = int(r["center_id"])
                    ctx.documents_seen(cid, r["newest"])
                    ctx.documents_changed(cid, _earliest(*_dates(r["new_from"], r["old_from"])),
                                          _latest(*_dates(r["new_to"], r["old_to"])))
            if name == "documents":
                if new:
                    sql.execute(conn, "ingest_insert_documents", run_id=ctx.run_id)
                if changed:
                    sql.execute(conn, "ingest_update_documents", run_id=ctx.run_id)
            elif new or changed:
                sql.execute(conn, f"ingest_upsert_{name}")
        loaded = stage.inserted + new
        self.counts["loaded"] += loaded
        self.counts["updated"] += changed
        self.counts["superseded"] += superseded
        self.counts["unchanged"] += stage.rows - superseded - loaded - changed
        stage.drop()
        if name == "zones":
            ctx.load_zones()
        elif name == "centers":
            ctx.load_centers()
            for code in self.staged_codes:
                cid = ctx.center_ids.get(code)
                if cid is not None:
                    ctx.touched.add(cid)
        elif name == "sync_configs" and ctx.config_changed:
            rollup.update_effective_to(conn, ctx.config_changed)


def _merge_spans(spans: dict[int, list[str]], center_ids: list[int], dates: list[str]) -> dict[int, list[str]]:
    """Widen `spans` (per center, the first and last ISO date) by these rows; returns it. A batch holds a few
    hundred distinct (center, date) pairs, so the pairs are made distinct first, in C."""
    for cid, d in set(zip(center_ids, dates, strict=True)):
        span = spans.get(cid)
        if span is None:
            spans[cid] = [d, d]
        elif d < span[0]:
            span[0] = d
        elif d > span[1]:
            span[1] = d
    return spans


_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def _dates(*values: date | str | None) -> tuple[date | None, ...]:
    return tuple(None if v is None else rollup._as_date(v, rollup.MIN_DATE) for v in values)


# --------------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------------
def _check_sqlite(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        version = tuple(int(x) for x in sqlite3.sqlite_version.split(".")[:3])
        if version < MIN_SQLITE:
            raise BundleError(f"SQLite {sqlite3.sqlite_version} is too old for the importer; it needs "
                               f"{'.'.join(map(str, MIN_SQLITE))} or newer (ON CONFLICT DO UPDATE, IS DISTINCT FROM)")


def _start_run(conn: Connection, source: str) -> int:
    """Record the run as 'running' (committed at once), hold its liveness lock (PostgreSQL: an advisory lock of the
    session, given up at the end or when the process dies) and mark as 'interrupted' the runs whose process died."""
    with conn.begin():
        run_id = int(sql.execute(conn, "ingest_run_start", source=source, started_at=utcnow()).scalar_one())
        sql.execute(conn, "ingest_run_hold", run_id=run_id)
        sql.execute(conn, "ingest_run_interrupted", run_id=run_id)
    return run_id


def _release_run(conn: Connection, run_id: int) -> None:
    with suppress(Exception), conn.begin():   # a lost connection has let go of everything already
        sql.execute(conn, "ingest_run_release", run_id=run_id)


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


# The rollups an import recounts: on a first large load, built like the tables they count (_bulk_load).
ROLLUP_TABLES = ("sync_daily", "sync_monthly", "sync_center_day", "sync_center_period", "spike_baseline",
                 "blocked_reference_day")


def _refresh_rollups(ctx: _Context, summary: ImportSummary) -> None:
    """Recount the rollups the import changed: whole centers whose configurations changed, and the changed
    date ranges of the others, in the import's transaction."""
    conn = ctx.conn
    documents = summary.per_entity.get("documents", {})
    if documents.get("loaded", 0) + documents.get("updated", 0) >= ANALYZE_ROWS:
        sql.execute(conn, "ingest_analyze_documents")
    with ExitStack() as bulk:
        for table in ROLLUP_TABLES:
            bulk.enter_context(_bulk_load(ctx, table))
        # a center's configuration changed on a date: every later date may count on another report line
        ranges = dict(ctx.doc_ranges)
        for cid, since in ctx.config_changed.items():
            ranges[cid] = (min(since, ranges[cid][0]) if cid in ranges else since, rollup.MAX_DATE)
        for ids, d0, d1 in refresh_groups(ranges):
            rollup.refresh(conn, ids, d0, d1)
        from syncstatus import rollup_blocked  # the blocked-references rollup recounts whole centers

        if rollup_blocked.import_changed(summary.per_entity):
            rollup_blocked.refresh(conn, sorted(ctx.touched))


def _record_centers(ctx: _Context) -> None:
    rows = [{"run_id": ctx.run_id, "center_id": cid, "newest_sync_date": ctx.newest.get(cid)}
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
    collector would scan them over and over for nothing. Paused during an import, restored after."""
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
    with engine.connect() as conn:
        run_id = _start_run(conn, str(path))
        try:
            return _import_run(engine, conn, run_id, path, progress, directory)
        finally:
            _release_run(conn, run_id)


def _import_run(engine: Engine, conn: Connection, run_id: int, path: Path, progress: bool,
                directory: Path) -> ImportSummary:
    summary = ImportSummary(run_id=run_id, source=str(path), status="running")
    rejections = _Rejections(directory, run_id, file_name=rejections_file_name(engine, run_id, utcnow()))
    # the CSV reader's value limit (process-wide): a long value is rejected by its column's length rule, with the
    # column named, up to MAX_VALUE_CHARS; beyond, its line is over MAX_LINE_BYTES anyway (or the record rejected)
    csv.field_size_limit(MAX_VALUE_CHARS)
    try:
        _check_sqlite(engine)
        with ExitStack() as stack:
            members, ignored, links = _bundle_members(path, stack)
            summary.ignored_files = ignored
            if links:
                summary.notes.append("not read, symbolic links are never followed: " + ", ".join(links))
            for name in ignored:
                rejections.add(name, None, None, "not part of the bundle format (expected "
                               "<entity>.csv or <entity>.jsonl for the entities in docs/DATA_FORMAT.md); ignored", None)
            for name in links:
                rejections.add(name, None, None, "a symbolic link: links are never followed, put the file itself in "
                               "the bundle; not read", None)
            if not members:
                expected = ", ".join(f"{e}.csv" for e in bundle.ENTITY_ORDER)
                raise BundleError(f"no bundle files found in {path.name}: expected some of {expected}")
            with conn.begin():
                sql.execute(conn, "ingest_lock", run_id=run_id)
                ctx = _Context(conn, run_id)
                ctx.progress = progress
                failed = True
                try:
                    _load(ctx, members, summary, rejections, progress)
                    failed = False
                finally:
                    ctx.writer.close(failed)
                _refresh_rollups(ctx, summary)
                _record_centers(ctx)
                rejections.flush(conn)
                summary._total()
                summary.status = "succeeded"
                _finish_run(conn, summary)
                sql.execute(conn, "ingest_analyze_tables")  # planner statistics for pages (docs/SECURITY.md)
    except BaseException as exc:  # recorded as a failed run; KeyboardInterrupt is re-raised below
        summary.status = "failed"
        summary.error = _error_text(exc)
        rejections.discard_pending()
        for counts in summary.per_entity.values():
            counts["loaded"] = counts["updated"] = counts["unchanged"] = counts["superseded"] = 0
        summary._total()
        summary.rejections_file = rejections.close()
        _record_failure(engine, summary, rejections)
        if not isinstance(exc, Exception):
            raise
        return summary
    summary.rejections_file = rejections.close()
    return summary


def _load(ctx: _Context, members: list[_Member], summary: ImportSummary, rejections: _Rejections,
          progress: bool) -> None:
    """Every entity of the bundle, in order: read, stage and write."""
    _plan_bulk_loads(ctx, members)
    ctx.load_zones()
    ctx.load_centers()
    for entity_name in bundle.ENTITY_ORDER:
        files = [m for m in members if m.entity == entity_name]
        if not files:
            continue
        loader = _EntityLoader(ctx, bundle.ENTITIES[entity_name], summary, rejections, progress)
        with _bulk_load(ctx, bundle.ENTITIES[entity_name].table):
            for member in files:
                loader.load_file(member)
            loader.finish()
        if loader.stage.bulk and entity_name == "documents":
            _bulk_ledger_dates(ctx)


def _bulk_ledger_dates(ctx: _Context) -> None:
    """After a bulk load of the ledger, with its indexes built: each center's first and last sync date, read from
    the table (two index probes per center), are the dates its rollups count."""
    for cid, first, last in sql.execute(ctx.conn, "ingest_bulk_document_dates"):
        ctx.documents_changed(int(cid), first, last)
        ctx.documents_seen(int(cid), last)


def _plan_bulk_loads(ctx: _Context, members: list[_Member]) -> None:
    """PostgreSQL: choose the tables this import loads as a bulk load (_bulk_load) and lock them now.

    A table qualifies when the bundle's files for it are BULK_LOAD_BYTES or more, it is empty (an organization's
    first import, or a rebuild) and the importer's role owns it (dropping an index needs the owner; a role that
    only writes rows imports row by row); the ledger's rollup tables qualify with the ledger. All of them are
    locked at once, before the import reads or writes anything: taking them one by one as their turn came would
    let a page that read one of them wait for another while the import waits for the first (a deadlock)."""
    if not ctx.postgres:
        return
    sizes: dict[str, int] = {}
    for m in members:
        table = bundle.ENTITIES[m.entity].table
        sizes[table] = sizes.get(table, 0) + m.size
    tables = [t for t, size in sizes.items() if size >= BULK_LOAD_BYTES]
    if schema.sync_document.name in tables:
        tables += ROLLUP_TABLES
    conn = ctx.conn
    planned = sorted(t for t in tables
                     if sql.execute(conn, "ingest_table_owned", table_name=t).scalar()
                     and not conn.execute(sa.select(sa.exists(sa.select(sa.literal(1))
                                                              .select_from(schema.metadata.tables[t])))).scalar())
    if schema.sync_document.name not in planned:
        planned = [t for t in planned if t not in ROLLUP_TABLES]
    if planned:
        quote = conn.dialect.identifier_preparer.quote
        # our own table names, quoted: no input of the bundle's
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(map(quote, planned))} IN ACCESS EXCLUSIVE MODE")
        # the index and key builds after the rows sort in memory (this transaction only)
        conn.execute(sa.text("SELECT set_config('maintenance_work_mem', :memory, true)"), {"memory": BULK_INDEX_MEMORY})
    ctx.bulk_tables = set(planned)


# (what: index | foreign key | unique key | primary key, name, definition), from the catalog
Deferred = tuple[str, str, str]


def _drop_deferrable(conn: Connection, table: str, kinds: tuple[str, ...]) -> list[Deferred]:
    """Drop a table's indexes and constraints of these kinds (ingest_deferrable_ddl); returns their definitions,
    the server's own, for _build_deferred."""
    quote = conn.dialect.identifier_preparer.quote
    dropped: list[Deferred] = []
    for what, name, definition in sql.execute(conn, "ingest_deferrable_ddl", table_name=table):
        if what not in kinds:
            continue
        # identifiers from the catalog, quoted: no input of the bundle's
        if what == "index":
            conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
        else:
            conn.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        dropped.append((what, name, definition))
    return dropped


def _build_deferred(ctx: _Context, table: str, item: Deferred) -> None:
    """Create again what _drop_deferrable dropped, from the definition the server printed."""
    what, name, definition = item
    conn = ctx.conn
    started = time.perf_counter()
    if what == "index":
        conn.exec_driver_sql(definition)
    else:
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    if ctx.progress:
        print(f"{table}: {what} {name} built in {time.perf_counter() - started:.1f} s", file=sys.stderr)


@contextmanager
def _bulk_load(ctx: _Context, table: str) -> Iterator[None]:
    """A bulk load of a table _plan_bulk_loads chose: its non-unique indexes and foreign keys are dropped for the
    load and created again after it, in the import's transaction, the way pg_restore loads data before it builds
    indexes. One sorted index build costs a fraction of keeping the index up to date row by row, and one
    validating join a fraction of a foreign-key check per row. Primary and unique keys are the stage's business
    (_Stage._drop_keys): the upserts of other entities probe them. The dropped definitions are the server's own
    (ingest_deferrable_ddl), so they come back exactly as they were. The table stays locked until the import
    commits: pages reading it wait for the first load to finish (docs/OPERATIONS.md). On failure nothing is
    recreated by hand: the rollback restores the table."""
    if table not in ctx.bulk_tables:
        yield
        return
    deferred = _drop_deferrable(ctx.conn, table, ("index", "foreign key"))
    yield
    for item in deferred:
        _build_deferred(ctx, table, item)


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
