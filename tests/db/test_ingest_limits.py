"""What docs/DATA_FORMAT.md promises about names and sizes, and the limits that keep a hostile bundle from taking the
importer down (docs/SECURITY.md), on SQLite and PostgreSQL: legacy status names, one reason for a value of any length,
lines, JSON nesting, columns and rejections bounded, symbolic links never followed."""

from __future__ import annotations

import io
import json
import stat
import time
import zipfile

import pytest

from syncstatus import ingest
from tests.db.test_ingest import DOC_HEADER, base, docs, rows, run, write_bundle

pytestmark = pytest.mark.parametrize("bulk", [False, True], ids=["row-by-row", "bulk"])


@pytest.fixture(autouse=True)
def _path(bulk, monkeypatch):
    """On PostgreSQL, `bulk` loads every table as a first large load (COPY straight into the table, clean lines)."""
    monkeypatch.setattr(ingest, "BULK_LOAD_BYTES", 1 if bulk else 1 << 40)


def doc(no: str, status: str = "processed", response: str = "", ref: str = "Q") -> list:
    return ["C1", "invoice", no, "2024-01-10", "10.00", status, "", 1, "2024-01-11T02:00:00", ref, response]


def rejected(engine, summary) -> list[tuple]:
    return rows(engine, "SELECT file_name, line_no, column_name, reason FROM import_rejection WHERE import_run_id = :r "
                        "ORDER BY id", r=summary.run_id)


# --- names and sizes the format document promises ----------------------------------------------------------------

def test_legacy_status_names_load_as_their_canonical_status(engine, tmp_path):
    s = run(engine, tmp_path, base(**{
        "documents.csv": docs(doc("INV-1", "Synced"), doc("INV-2", "SYNCED"), doc("INV-3", "Pending"),
                              doc("INV-4", "Failed", "boom", ""), doc("INV-5", "processed")),
        "items.csv": "center_code,item_code,item_name,item_type,status\nC1,HAIR,Haircut,service,Synced\n",
    }))
    assert s.status == "succeeded", s.error
    assert s.rejected == 0, rejected(engine, s)
    assert rows(engine, "SELECT document_no, status FROM sync_document ORDER BY document_no") == [
        ("INV-1", "processed"), ("INV-2", "processed"), ("INV-3", "pending"), ("INV-4", "failed"),
        ("INV-5", "processed")]
    assert rows(engine, "SELECT status FROM item") == [("processed",)]


@pytest.mark.parametrize("length", [100_001, 131_071, 131_073, 1_000_000])
def test_a_value_too_long_gets_one_reason_naming_line_and_column_whatever_its_length(engine, tmp_path, length):
    s = run(engine, tmp_path, base(**{"documents.csv": docs(doc("INV-1"), doc("INV-2", "failed", "x" * length, ""),
                                                            doc("INV-3"))}))
    assert s.status == "succeeded", s.error
    assert rejected(engine, s) == [("documents.csv", 3, "response",
                                    f"response is too long: {length} characters, at most 100000 allowed")]
    assert (s.loaded, s.rejected) == (4 + 2, 1)


def test_a_line_over_the_line_limit_is_skipped_naming_its_line_and_column(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_LINE_BYTES", 2_000)
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 500)
    long_line = docs(doc("INV-2", "failed", "y" * 50_000, "")).split("\n", 1)[1]
    text = docs(doc("INV-1")) + long_line + docs(doc("INV-3")).split("\n", 1)[1] + \
        docs(doc("INV-4", "failed", "z" * 9_000, "")).split("\n", 1)[1].rstrip("\n")   # the last, cut off: no line end
    s = run(engine, tmp_path, base(**{"documents.csv": text}))
    assert s.status == "succeeded", s.error
    got = rejected(engine, s)
    assert [(f, line, col) for f, line, col, _ in got] == [("documents.csv", 3, "response"),
                                                            ("documents.csv", 5, "response")]
    assert got[0][3].startswith(f"line 3 is {len(long_line.encode()):,} bytes long, more than the 2,000 a line may "
                                "have (MAX_LINE_BYTES)")
    assert rows(engine, "SELECT document_no FROM sync_document ORDER BY document_no") == [("INV-1",), ("INV-3",)]
    raw = rows(engine, "SELECT raw_row FROM import_rejection WHERE import_run_id = :r", r=s.run_id)
    assert all(len(r[0]) <= 2_000 for r in raw)   # only the line's start was kept


def test_a_json_line_over_the_line_limit_is_rejected_and_the_next_lines_load(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_LINE_BYTES", 1_000)
    good = {"center_code": "C1", "kind": "invoice", "document_no": "INV-1", "sync_date": "2024-01-10",
            "status": "processed"}
    text = "\n".join([json.dumps({**good, "response": "r" * 5_000}), json.dumps(good)]) + "\n"
    s = run(engine, tmp_path, base(**{"documents.jsonl": text}))
    assert s.status == "succeeded", s.error
    got = rejected(engine, s)
    assert [(f, line) for f, line, _, _ in got] == [("documents.jsonl", 1)]
    line = json.dumps({**good, "response": "r" * 5_000}) + "\n"
    assert got[0][3].startswith(f"line 1 is {len(line):,} bytes long, more than the 1,000 a line may have")
    assert rows(engine, "SELECT document_no FROM sync_document") == [("INV-1",)]


# --- hostile bundles -------------------------------------------------------------------------------------------------

def test_a_json_line_nested_100000_deep_is_rejected_and_the_import_goes_on(engine, tmp_path):
    good = {"center_code": "C1", "kind": "invoice", "document_no": "INV-1", "sync_date": "2024-01-10",
            "status": "processed"}
    deep = "[" * 100_000 + "]" * 100_000
    nested_ok = {**good, "document_no": "INV-3", "response": json.loads("[" * 60 + "]" * 60)}
    text = "\n".join([json.dumps(good), '{"center_code": "C1", "response": ' + deep + "}",
                      json.dumps({**good, "document_no": "INV-2", "response": '"[[[[ not nesting" ' * 40}),
                      json.dumps(nested_ok)]) + "\n"
    s = run(engine, tmp_path, base(**{"documents.jsonl": text}))
    assert s.status == "succeeded", s.error
    assert rejected(engine, s) == [("documents.jsonl", 2, None, "nested 100,001 levels deep, more than the 64 a line "
                                                                "may have (MAX_JSON_DEPTH)")]
    assert rows(engine, "SELECT document_no FROM sync_document ORDER BY document_no") == [("INV-1",), ("INV-2",),
                                                                                          ("INV-3",)]


def test_a_huge_line_without_a_line_end_is_read_past_in_bounded_memory(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_LINE_BYTES", 64 << 10)
    held = []
    readline, read = ingest._ByteLines.next_line, ingest._ByteLines.block

    def next_line(self):
        out = readline(self)
        held.append(len(self.tail) + (len(out) if out else 0))
        return out

    def block(self, size):
        out = read(self, size)
        held.append(len(self.tail) + (len(out) if out else 0))
        return out

    monkeypatch.setattr(ingest._ByteLines, "next_line", next_line)
    monkeypatch.setattr(ingest._ByteLines, "block", block)
    text = docs(doc("INV-1")) + "C1,invoice,INV-2,2024-01-10,10,failed,,1,,," + "A" * (16 << 20)   # 16 MiB, no end
    started = time.perf_counter()
    s = run(engine, tmp_path, base(**{"documents.csv": text}))
    assert time.perf_counter() - started < 30
    assert s.status == "succeeded", s.error
    assert [(line, col) for _, line, col, _ in rejected(engine, s)] == [(3, "response")]
    assert max(held) <= (64 << 10) + 2 * ingest.BLOCK_BYTES   # never the 16 MiB line
    assert rows(engine, "SELECT document_no FROM sync_document") == [("INV-1",)]


def test_an_import_stops_past_the_rejection_limit_with_nothing_loaded(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_REJECTIONS", 5)
    s = run(engine, tmp_path, base(**{"documents.csv": docs(*(doc(f"INV-{i}", "weird") for i in range(20)))}))
    assert s.status == "failed"
    assert s.error.startswith("stopped at documents.csv line 7: more than 5 rows and problems rejected")
    assert str(s.rejections_file) in s.error
    assert len(rejected(engine, s)) == 5
    assert rows(engine, "SELECT COUNT(*) FROM sync_document") == [(0,)]
    assert rows(engine, "SELECT status FROM import_run WHERE id = :r", r=s.run_id) == [("failed",)]


def test_a_header_of_a_million_columns_rejects_the_file_quickly(engine, tmp_path):
    header = DOC_HEADER.rstrip("\n") + ",x" * 1_000_000   # 2 MB: within the line limit
    started = time.perf_counter()
    s = run(engine, tmp_path, base(**{
        "documents.csv": header + "\n" + docs(doc("INV-1")).split("\n", 1)[1],
        "payments.jsonl": json.dumps({f"k{i}": i for i in range(1_000)}) + "\n",
    }))
    assert time.perf_counter() - started < 20
    assert s.status == "succeeded", s.error
    got = rejected(engine, s)
    assert [(f, line) for f, line, _, _ in got] == [("payments.jsonl", 1), ("documents.csv", 1)]
    assert got[0][3] == "has 1,000 keys, more than the 200 a line may have (MAX_COLUMNS)"
    assert got[1][3].startswith("the header has 1,000,011 columns, more than the 200 a file may have (MAX_COLUMNS")
    assert s.per_entity["documents"]["rejected"] == 1 and s.notes == []


def test_symbolic_links_in_a_folder_are_never_followed(engine, tmp_path):
    secret = tmp_path / "outside.csv"   # a file outside the bundle that the importer could read
    secret.write_text(docs(doc("SECRET-1")), encoding="utf-8")
    folder = write_bundle(tmp_path / "bundle", base())
    (folder / "documents.csv").symlink_to(secret)
    (folder / "payments.csv").symlink_to(tmp_path / "missing.csv")
    s = ingest.import_bundle(engine, folder, rejections_dir=tmp_path / "rejections")
    assert s.status == "succeeded", s.error
    assert rows(engine, "SELECT COUNT(*) FROM sync_document") == [(0,)]
    assert [(f, reason.split(":")[0]) for f, _, _, reason in rejected(engine, s)] == [
        ("documents.csv", "a symbolic link"), ("payments.csv", "a symbolic link")]
    assert "not read, symbolic links are never followed: documents.csv, payments.csv" in s.describe()


def test_symbolic_links_in_a_zip_are_never_read(engine, tmp_path):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in base().items():
            zf.writestr(name, text)
        link = zipfile.ZipInfo("documents.csv")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "../../outside.csv")
    s = ingest.import_bundle(engine, path, rejections_dir=tmp_path / "rejections")
    assert s.status == "succeeded", s.error
    assert [f for f, *_ in rejected(engine, s)] == ["documents.csv"]
    assert s.per_entity.get("documents") is None


def test_the_line_reader_holds_at_most_the_limit_of_one_line():
    src = ingest._ByteLines(io.BytesIO(b"a,b\n" + b"x" * 10_000 + b"\nc,d\n" + b"y" * 5_000), limit=1_000)
    assert src.block(300) == b"a,b\n"
    src.consume(b"a,b\n", 1)
    assert src.block(300) is None and len(src.tail) <= 1_000 + 300
    line = src.next_line()
    assert (len(line), src.long, src.line_no) == (1_000, 10_001, 2)
    assert src.next_line() == b"c,d\n" and src.long is None
    assert len(src.next_line()) == 1_000 and src.long == 5_000 and src.next_line() is None
