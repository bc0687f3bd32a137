"""Bad rows, one kind per test, on SQLite and PostgreSQL: each is rejected with its file, line, column and a reason
a person understands, the good rows beside it still load, and the counts reconcile."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from syncstatus import ingest

ZONES = "zone_code,zone_name\nZ1,North\n"
CENTERS = "center_code,center_name,zone_code,platform\nC1,Center One,Z1,qbo\nC2,Center Two,Z1,xero\n"
DOC_HEADER = "center_code,kind,document_no,sync_date,amount,status,pending_reason,attempts,last_attempt_at,external_ref,response"
GOOD_1 = "C1,invoice,INV-1,2024-01-10,10.00,processed,,1,2024-01-11T02:00:00,QB-1,"
GOOD_2 = "C2,payment,P-1,2024-01-11,5,pending,awaiting_schedule,0,,,"


def write_bundle(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


def documents(*lines: str) -> str:
    return "\n".join([DOC_HEADER, *lines]) + "\n"


def load(engine, tmp_path: Path, files: dict[str, str | bytes]) -> ingest.ImportSummary:
    folder = write_bundle(tmp_path / "bundle", {"zones.csv": ZONES, "centers.csv": CENTERS, **files})
    summary = ingest.import_bundle(engine, folder, rejections_dir=tmp_path / "rejections")
    assert summary.status == "succeeded", summary.error
    parts = ("loaded", "updated", "unchanged", "superseded", "rejected")
    for entity, c in summary.per_entity.items():
        assert c["read"] == sum(c[k] for k in parts), entity
    assert summary.read == sum(getattr(summary, k) for k in parts)
    return summary


def rejections(engine, summary: ingest.ImportSummary) -> list[dict]:
    """import_rejection rows of the run; checked against the CSV report on the way."""
    with engine.connect() as conn:
        stored = [dict(r._mapping) for r in conn.execute(sa.text(
            "SELECT file_name, line_no, column_name, reason, raw_row FROM import_rejection "
            "WHERE import_run_id = :r ORDER BY id"), {"r": summary.run_id})]
    assert summary.rejections_file is not None
    with open(summary.rejections_file, encoding="utf-8", newline="") as f:
        report = list(csv.DictReader(f))
    assert [(r["file_name"], r["line_no"], r["column"], r["reason"]) for r in report] == [
        (s["file_name"], "" if s["line_no"] is None else str(s["line_no"]), s["column_name"] or "", s["reason"])
        for s in stored]
    return stored


def doc_numbers(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.text("SELECT document_no FROM sync_document")).scalars())


def only(stored: list[dict]) -> dict:
    assert len(stored) == 1, stored
    return stored[0]


def test_unknown_center(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, "C9,invoice,INV-2,2024-01-10,10,failed,,1,,,", GOOD_2)})
    assert s.per_entity["documents"] == {"read": 3, "loaded": 2, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 1}
    r = only(rejections(engine, s))
    assert (r["file_name"], r["line_no"], r["column_name"]) == ("documents.csv", 3, "center_code")
    assert r["reason"] == "unknown center 'C9': it is neither in centers.csv of this bundle nor in the database"
    assert r["raw_row"] == "C9,invoice,INV-2,2024-01-10,10,failed,,1,,,"
    assert doc_numbers(engine) == ["INV-1", "P-1"]


def test_a_rejected_center_makes_its_rows_unknown(engine, tmp_path):
    centers = CENTERS + "C3,Center Three,Z1,sage\n"
    s = load(engine, tmp_path, {"centers.csv": centers,
                                "documents.csv": documents(GOOD_1, "C3,invoice,INV-3,2024-01-10,10,processed,,1,,Q,")})
    stored = rejections(engine, s)
    assert [(r["file_name"], r["line_no"], r["column_name"]) for r in stored] == [
        ("centers.csv", 4, "platform"), ("documents.csv", 3, "center_code")]
    assert stored[0]["reason"] == "platform 'sage' is not one of the allowed values: qbo, xero, intacct, netsuite"
    assert stored[1]["reason"] == "unknown center 'C3': its row in centers.csv line 4 was rejected"
    assert doc_numbers(engine) == ["INV-1"]


def test_unknown_zone(engine, tmp_path):
    s = load(engine, tmp_path, {"centers.csv": CENTERS + "C3,Center Three,Z7,qbo\n"})
    r = only(rejections(engine, s))
    assert (r["file_name"], r["line_no"], r["column_name"]) == ("centers.csv", 4, "zone_code")
    assert "unknown zone 'Z7'" in r["reason"]
    assert s.per_entity["centers"]["loaded"] == 2


def test_bad_date(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, "C1,invoice,INV-2,2024-13-45,10,failed,,1,,,", GOOD_2)})
    r = only(rejections(engine, s))
    assert (r["line_no"], r["column_name"]) == (3, "sync_date")
    assert r["reason"] == "sync_date '2024-13-45' is not a valid date: use YYYY-MM-DD, e.g. 2024-03-31"
    assert doc_numbers(engine) == ["INV-1", "P-1"]


def test_bad_datetime_decimal_and_bool(engine, tmp_path):
    s = load(engine, tmp_path, {
        "documents.csv": documents(GOOD_1, "C1,invoice,INV-2,2024-01-10,10,failed,,1,yesterday,,",
                                   "C1,invoice,INV-3,2024-01-10,\"1,234.50\",failed,,1,,,"),
        "sync_jobs.csv": "center_code,job,enabled\nC1,post_sale,maybe\nC1,refund,yes\n",
    })
    stored = rejections(engine, s)
    assert [(r["file_name"], r["line_no"], r["column_name"]) for r in stored] == [
        ("sync_jobs.csv", 2, "enabled"), ("documents.csv", 3, "last_attempt_at"), ("documents.csv", 4, "amount")]
    assert "'maybe' is not true or false" in stored[0]["reason"]
    assert "is not a valid date and time" in stored[1]["reason"]
    assert stored[2]["reason"] == "amount '1,234.50' is not a number: use digits and a dot for decimals, e.g. 1234.50"
    assert s.per_entity["sync_jobs"]["loaded"] == 1 and doc_numbers(engine) == ["INV-1"]


def test_negative_count(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, "C1,invoice,INV-2,2024-01-10,10,failed,,-1,,,", GOOD_2)})
    r = only(rejections(engine, s))
    assert (r["line_no"], r["column_name"]) == (3, "attempts")
    assert r["reason"] == "attempts is -1 but must not be negative"
    assert s.per_entity["documents"]["loaded"] == 2


def test_unknown_status(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, "C1,invoice,INV-2,2024-01-10,10,done,,1,,,", GOOD_2)})
    r = only(rejections(engine, s))
    assert (r["file_name"], r["line_no"], r["column_name"]) == ("documents.csv", 3, "status")
    assert r["reason"] == "status 'done' is not one of the allowed values: pending, processed, failed, archived"
    assert doc_numbers(engine) == ["INV-1", "P-1"]


def test_allowed_values_ignore_case(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents("C1,Invoice,INV-1,2024-01-10,10,PROCESSED,,1,,Q,")})
    assert s.rejected == 0 and s.rejections_file is None
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT kind, status FROM sync_document")).one() == ("invoice", "processed")


def test_required_value_empty_and_too_long(engine, tmp_path):
    long_no = "N" * 61
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, "C1,invoice,,2024-01-10,10,failed,,1,,,",
                                                           f"C1,invoice,{long_no},2024-01-10,10,failed,,1,,,")})
    stored = rejections(engine, s)
    assert [(r["line_no"], r["column_name"], r["reason"]) for r in stored] == [
        (3, "document_no", "document_no is required but empty"),
        (4, "document_no", "document_no is too long: 61 characters, at most 60 allowed"),
    ]


def test_a_repeated_key_keeps_its_newest_row_and_counts_the_other_as_superseded(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents(
        GOOD_1, GOOD_2, "C1,invoice,INV-1,2024-01-12,99,failed,,3,,,")})
    assert s.rejections_file is None   # a superseded row is not an error
    assert s.per_entity["documents"] == {"read": 3, "loaded": 2, "updated": 0, "unchanged": 0, "superseded": 1,
                                         "rejected": 0}
    assert "superseded 1, rejected 0" in s.describe().splitlines()[0]
    with engine.connect() as conn:  # line 2 has a last_attempt_at, line 4 none: line 2 is newer; attempts: the most
        assert conn.execute(sa.text("SELECT status, attempts FROM sync_document WHERE document_no = 'INV-1'")).one() \
            == ("processed", 3)


def test_a_repeated_key_across_csv_and_jsonl_keeps_the_newest(engine, tmp_path):
    jsonl = ('{"center_code": "C1", "kind": "invoice", "document_no": "INV-1", "sync_date": "2024-01-10", '
             '"status": "failed", "last_attempt_at": "2024-01-11T03:00:00+01:00"}\n')   # 02:00 UTC: GOOD_1's time
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1), "documents.jsonl": jsonl})
    assert s.rejections_file is None and s.superseded == 1
    with engine.connect() as conn:  # equal times: the later line of the bundle (documents.jsonl is read second)
        assert conn.execute(sa.text("SELECT status FROM sync_document WHERE document_no = 'INV-1'")).scalar() == "failed"


def test_missing_column_rejects_the_file_and_the_rest_still_loads(engine, tmp_path):
    header = DOC_HEADER.replace(",status", "")
    text = header + "\nC1,invoice,INV-1,2024-01-10,10,,1,,,\nC1,invoice,INV-2,2024-01-10,10,,1,,,\n"
    s = load(engine, tmp_path, {"documents.csv": text,
                                "sync_configs.csv": "center_code,effective_from,sync_type\nC1,2024-01-01,day_wise\n"})
    r = only(rejections(engine, s))
    assert (r["file_name"], r["line_no"], r["column_name"]) == ("documents.csv", 1, "status")
    assert r["reason"].startswith("missing required column 'status' in the header")
    assert "the whole file (2 rows) was not loaded" in r["reason"]
    assert s.per_entity["documents"] == {"read": 2, "loaded": 0, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 2}
    assert s.per_entity["sync_configs"]["loaded"] == 1 and s.per_entity["centers"]["loaded"] == 2
    assert doc_numbers(engine) == []


def test_optional_columns_may_be_left_out_of_the_header(engine, tmp_path):
    text = "center_code,kind,document_no,sync_date,status\nC1,invoice,INV-1,2024-01-10,pending\n"
    s = load(engine, tmp_path, {"documents.csv": text})
    assert s.rejected == 0 and s.loaded == 4


def test_wrong_encoding(engine, tmp_path):
    good = (DOC_HEADER + "\n" + GOOD_1 + "\n").encode()
    bad = "C1,invoice,INV-2,2024-01-10,10,failed,,1,,,Café fermé\n".encode("latin-1")
    data = good + bad + (GOOD_2 + "\n").encode()
    s = load(engine, tmp_path, {"documents.csv": data})
    r = only(rejections(engine, s))
    offset = len(good) + bad.index(b"\xe9")
    assert (r["file_name"], r["line_no"], r["column_name"]) == ("documents.csv", 3, "response")
    assert r["reason"] == f"not valid UTF-8 at byte offset {offset} (line 3): save the file as UTF-8"
    assert s.per_entity["documents"] == {"read": 3, "loaded": 2, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 1}
    assert doc_numbers(engine) == ["INV-1", "P-1"]


def test_a_utf8_bom_is_accepted(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": "\ufeff" + documents(GOOD_1, "C1,invoice,INV-é,2024-01-10,1,pending,,0,,,")})
    assert s.rejected == 0
    assert doc_numbers(engine) == ["INV-1", "INV-é"]


def test_truncated_file_cut_mid_row(engine, tmp_path):
    text = documents(GOOD_1, GOOD_2) + "C1,invoice,INV-3,2024-01"   # no newline: the export stopped here
    s = load(engine, tmp_path, {"documents.csv": text})
    r = only(rejections(engine, s))
    assert (r["line_no"], r["column_name"]) == (4, "amount")
    assert r["reason"].startswith("has 4 fields but the header has 11")
    assert r["reason"].endswith("the file seems cut off here")
    assert s.per_entity["documents"] == {"read": 3, "loaded": 2, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 1}


def test_truncated_file_with_an_unterminated_quote(engine, tmp_path):
    text = documents(GOOD_1, GOOD_2) + 'C1,invoice,INV-3,2024-01-10,10,failed,,1,,,"{""Fault"": {""Error"": [\n'
    s = load(engine, tmp_path, {"documents.csv": text})
    r = only(rejections(engine, s))
    assert (r["line_no"], r["column_name"]) == (4, "response")
    assert r["reason"] == ("unterminated quoted value starting on line 4: the file seems cut off "
                           "(a closing \" is missing)")
    assert s.per_entity["documents"] == {"read": 3, "loaded": 2, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 1}


def test_wrong_number_of_fields(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, GOOD_2 + ",extra")})
    r = only(rejections(engine, s))
    assert (r["line_no"], r["column_name"]) == (3, None)
    assert r["reason"].startswith("has 12 fields but the header has 11 (center_code, kind,")


def test_quoted_values_spanning_lines_keep_physical_line_numbers(engine, tmp_path):
    text = documents('C1,invoice,INV-1,2024-01-10,10,failed,,1,,,"line one\nline two"', "C1,invoice,INV-2,bad,1,failed,,1,,,")
    s = load(engine, tmp_path, {"documents.csv": text})
    r = only(rejections(engine, s))
    assert (r["line_no"], r["column_name"]) == (4, "sync_date")


def test_bad_json_line(engine, tmp_path):
    text = ('{"center_code": "C1", "kind": "invoice", "document_no": "INV-1", "sync_date": "2024-01-10", "status": "pending"}\n'
            '{"center_code": "C1", "kind": \n'
            '["not", "an", "object"]\n'
            '{"center_code": "C1", "kind": "invoice", "document_no": "INV-2", "sync_date": "2024-01-10", "status": "nope"}\n')
    s = load(engine, tmp_path, {"documents.jsonl": text})
    stored = rejections(engine, s)
    assert [(r["line_no"], r["column_name"]) for r in stored] == [(2, None), (3, None), (4, "status")]
    assert stored[0]["reason"].startswith("not valid JSON")
    assert "one JSON object" in stored[1]["reason"]
    assert s.per_entity["documents"] == {"read": 4, "loaded": 1, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 3}


def test_many_bad_rows_among_many_good_ones(engine, tmp_path, monkeypatch):
    # small batches: clean batches take the fast path, a batch with a bad row is redone row by row
    monkeypatch.setattr(ingest, "BATCH_ROWS", 7)
    lines = []
    for i in range(60):
        status = "weird" if i % 13 == 5 else "processed"
        lines.append(f"C{1 + i % 2},invoice,INV-{i},2024-01-{1 + i % 28:02d},{i}.5,{status},,1,,Q{i},")
    lines.append("C1,invoice,INV-4,2024-01-04,1,processed,,1,,,")  # a repeat at the end: supersedes line 6
    s = load(engine, tmp_path, {"documents.csv": documents(*lines)})
    stored = rejections(engine, s)
    assert [r["line_no"] for r in stored] == [7, 20, 33, 46, 59]
    assert s.per_entity["documents"] == {"read": 61, "loaded": 55, "updated": 0, "unchanged": 0, "superseded": 1,
                                         "rejected": 5}
    assert len(doc_numbers(engine)) == 55


def test_json_escapes_a_database_cannot_store(engine, tmp_path):
    text = ('{"center_code": "C1", "kind": "invoice", "document_no": "INV-1", "sync_date": "2024-01-10", "status": "pending"}\n'
            '{"center_code": "C1", "kind": "invoice", "document_no": "INV-2", "sync_date": "2024-01-10", "status": "failed", '
            '"response": "bad \\u0000 byte"}\n'
            '{"center_code": "C1", "kind": "invoice", "document_no": "INV-3\\ud800", "sync_date": "2024-01-10", "status": "failed"}\n')
    s = load(engine, tmp_path, {"documents.jsonl": text})
    stored = rejections(engine, s)
    assert [(r["line_no"], r["column_name"]) for r in stored] == [(2, "response"), (3, "document_no")]
    assert "NUL" in stored[0]["reason"] and "lone surrogate" in stored[1]["reason"]
    assert doc_numbers(engine) == ["INV-1"]


def small_pieces(monkeypatch) -> None:
    """Blocks, batches and (PostgreSQL) insert chunks of a few rows: a repeat lands far from its first row."""
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 200)
    monkeypatch.setattr(ingest, "BATCH_ROWS", 3)
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 5)


def test_repeats_chunks_after_their_first_row_lose_to_it_when_older(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    payments = [f"C2,payment,P-{i},2024-01-11,5,pending,awaiting_schedule,0,,," for i in range(20)]
    dup, dup_again = "C1,invoice,INV-1,2024-01-12,99,failed,,3,,,", "C1,invoice,INV-1,2024-01-13,98,failed,,4,,,"
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, *payments[:12], dup, *payments[12:], dup_again)})
    assert s.rejections_file is None
    assert s.per_entity["documents"] == {"read": 23, "loaded": 21, "updated": 0, "unchanged": 0, "superseded": 2,
                                         "rejected": 0}
    with engine.connect() as conn:  # the only row with a last_attempt_at is the newest; the attempts the most given
        assert conn.execute(sa.text("SELECT status, amount, attempts FROM sync_document WHERE document_no = 'INV-1'")
                            ).one() == ("processed", Decimal("10.00"), 4)


def test_repeats_chunks_after_their_first_row_replace_it_when_newer(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    payments = [f"C2,payment,P-{i},2024-01-11,5,pending,awaiting_schedule,0,,," for i in range(20)]
    retry = "C1,invoice,INV-1,2024-01-10,10.00,failed,,2,2024-01-11T03:00:00+01:00,,"   # 02:00 UTC, a later line
    older = "C1,invoice,INV-1,2024-01-10,10.00,pending,awaiting_schedule,0,2024-01-11T01:59:59,,"
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, *payments[:12], retry, *payments[12:], older)})
    assert s.per_entity["documents"] == {"read": 23, "loaded": 21, "updated": 0, "unchanged": 0, "superseded": 2,
                                         "rejected": 0}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status, attempts, import_run_id FROM sync_document "
                                    "WHERE document_no = 'INV-1'")).one() == ("failed", 2, s.run_id)
        assert conn.execute(sa.text("SELECT COUNT(*) FROM sync_document")).scalar() == 21


def test_repeats_of_a_stored_document_resolve_in_the_bundle_first(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    load(engine, tmp_path / "first", {"documents.csv": documents(GOOD_1)})
    newer = "C1,invoice,INV-1,2024-01-10,11.00,failed,,2,2024-01-12T02:00:00,,"
    again = "C1,invoice,INV-1,2024-01-10,12.00,failed,,3,2024-01-13T02:00:00,,"
    s = load(engine, tmp_path / "second", {"documents.csv": documents(again, GOOD_2, newer)})
    assert s.rejections_file is None
    assert s.per_entity["documents"] == {"read": 3, "loaded": 1, "updated": 1, "unchanged": 0, "superseded": 1,
                                         "rejected": 0}
    with engine.connect() as conn:  # the bundle's newest row (line 2) replaced the stored one, line 4 did not
        assert conn.execute(sa.text("SELECT amount, attempts FROM sync_document WHERE document_no = 'INV-1'")).one() == (
            Decimal("12.00"), 3)


def test_a_superseded_row_is_not_among_the_rejections(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents(GOOD_1, "C1,invoice,INV-1,2024-01-12,99,failed,,3,,,",
                                                           "C9,invoice,INV-9,2024-01-10,10,failed,,1,,,")})
    assert [(r["line_no"], r["column_name"]) for r in rejections(engine, s)] == [(4, "center_code")]
    assert (s.superseded, s.rejected) == (1, 1)


def test_a_row_repeating_a_rejected_rows_key_is_not_a_duplicate(engine, tmp_path):
    s = load(engine, tmp_path, {"documents.csv": documents("C1,invoice,INV-1,2024-13-01,10,processed,,1,,,", GOOD_1)})
    r = only(rejections(engine, s))
    assert (r["line_no"], r["column_name"]) == (2, "sync_date")
    assert doc_numbers(engine) == ["INV-1"]
