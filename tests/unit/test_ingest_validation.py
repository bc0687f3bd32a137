"""The importer's validation and reading, without a database: converters and their reasons, the fast bulk
converters agreeing with the row-by-row ones, CSV/JSON Lines records with physical line numbers, encodings,
truncation, bundle members of folders and zips, and the summary text."""

from __future__ import annotations

import io
import zipfile
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncstatus import bundle, ingest, schema
from syncstatus.ingest import _Bad, make_bulk_converter, make_converter


def col(entity: str, name: str) -> tuple[bundle.Col, object]:
    ent = bundle.ENTITIES[entity]
    c = next(c for c in ent.columns if c.name == name)
    return c, ingest._db_column(ent, c)


def conv(entity: str, name: str, sqlite: bool = False):
    c, db_col = col(entity, name)
    return make_converter(c, db_col, sqlite)


def reason(entity: str, name: str, value: str) -> str:
    with pytest.raises(_Bad) as err:
        conv(entity, name)(value)
    return err.value.reason


# --- converters ---------------------------------------------------------------------------------
def test_dates_and_times_become_iso_text_in_utc():
    assert conv("documents", "sync_date")("2024-03-09") == "2024-03-09"
    assert conv("documents", "sync_date")("20240309") == "2024-03-09"
    at = conv("documents", "last_attempt_at", sqlite=True)   # the text SQLAlchemy stores on SQLite
    assert at("2024-03-09T10:00:00") == "2024-03-09 10:00:00.000000"
    pg = conv("documents", "last_attempt_at")                   # PostgreSQL parses a naive ISO text itself
    assert pg("2024-03-09T10:00:00") == "2024-03-09T10:00:00"
    assert pg("2024-03-09T10:00:00+02:00") == "2024-03-09 08:00:00.000000"
    assert pg("2024-03-09T10") == "2024-03-09 10:00:00.000000"
    assert at("2024-03-09T10:00:00+02:00") == "2024-03-09 08:00:00.000000"
    assert at("2024-03-09T23:30:00-01:00") == "2024-03-10 00:30:00.000000"
    assert at("2024-03-09T10:00:00Z") == "2024-03-09 10:00:00.000000"
    assert at("2024-03-09 10:00:00.123") == "2024-03-09 10:00:00.123000"


def test_decimals_round_to_the_column_scale_and_respect_its_size():
    amount = conv("documents", "amount")
    assert amount("12") == "12.00"
    assert amount("12.345") == "12.35"
    assert amount("-0.005") == "-0.01"
    assert amount("1e3") == "1000.00"
    assert conv("sale_order_lines", "qty")("1.5") == "1.500"
    assert reason("documents", "amount", "1000000000000") == (
        "amount '1000000000000' is too large: at most 12 digits before the decimal point")
    assert "is not a number" in reason("documents", "amount", "NaN")
    assert "is not a number" in reason("documents", "amount", "1_000")
    assert reason("misc_journals", "amount", "-5") == "amount is -5 but must not be negative"


def test_integers_and_their_minimum():
    attempts = conv("documents", "attempts")
    assert attempts("3") == 3 and attempts("+3") == 3
    assert reason("documents", "attempts", "-1") == "attempts is -1 but must not be negative"
    assert reason("documents", "attempts", "2.5") == "attempts '2.5' is not a whole number"
    assert reason("documents", "attempts", "1_0") == "attempts '1_0' is not a whole number"
    assert reason("sale_order_lines", "line_no", "0") == "line_no is 0 but must be at least 1"
    assert "too large" in reason("documents", "attempts", "99999999999")


def test_booleans_by_dialect():
    assert conv("centers", "active")("Yes") is True
    assert conv("centers", "active")("0") is False
    assert conv("centers", "active", sqlite=True)("true") == 1
    assert reason("centers", "active", "maybe") == "active 'maybe' is not true or false (use true/false, yes/no or 1/0)"


def test_allowed_values_are_listed_and_matched_without_case():
    assert conv("documents", "status")("Failed") == "failed"
    assert reason("documents", "status", "done") == (
        "status 'done' is not one of the allowed values: pending, processed, failed, archived")


def test_text_length_is_the_smaller_of_the_format_and_the_column():
    assert conv("documents", "document_no")("N" * 60) == "N" * 60
    assert reason("documents", "document_no", "N" * 61) == "document_no is too long: 61 characters, at most 60 allowed"
    long_value = "x" * 500
    assert "'" + "x" * 60 + "…'" in reason("documents", "sync_date", long_value)


ALL_COLUMNS = [(e.name, c.name) for e in bundle.ENTITIES.values() for c in e.columns]
text_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2024-02-29", "2023-02-29", "2024-03-09T10:00:00+05:30", "12.345", "-1", "0", "1e3", "true",
                     "NO", "processed", "Invoice", "qbo", "NaN", "1_0", "99999999999999", " 7 ", "", "x" * 70]),
)


@settings(max_examples=150, deadline=None)
@given(column=st.sampled_from(ALL_COLUMNS), values=st.lists(text_values, min_size=1, max_size=6),
       sqlite=st.booleans())
def test_bulk_converters_agree_with_the_row_by_row_ones(column, values, sqlite):
    c, db_col = col(*column)
    one, bulk = make_converter(c, db_col, sqlite), make_bulk_converter(c, db_col, sqlite)
    values = [v.strip() for v in values if v.strip()]
    singles = []
    for v in values:
        try:
            singles.append(one(v))
        except _Bad:
            singles.append(_Bad)
    try:
        bulk_out = bulk(values)
    except Exception:
        bulk_out = None
    if _Bad in singles:
        assert bulk_out is None            # the fast path never accepts what the slow path rejects
    elif bulk_out is not None:
        assert bulk_out == singles         # and when it accepts, it produces the same values


def test_every_bundle_column_has_a_target_column_or_a_builder():
    for entity in bundle.ENTITIES.values():
        staged = ingest.STAGE_COLUMNS[entity.name]
        table = schema.metadata.tables[entity.table]
        assert set(staged) <= set(table.c.keys()), entity.name
        for c in entity.columns:
            target = ingest.TARGET_NAMES.get((entity.name, c.name), c.name)
            assert target in staged or c.name == "center_code", (entity.name, c.name)


# --- reading ------------------------------------------------------------------------------------
def records(data: bytes) -> list[tuple]:
    return list(ingest._csv_records(io.BytesIO(data)))


def test_csv_records_carry_physical_line_numbers_and_raw_text():
    data = b'a,b\n1,2\n\n3,"x\ny"\n4,5'
    got = records(data)
    assert [(r[0], r[1], r[2]) for r in got] == [(1, ["a", "b"], None), (2, ["1", "2"], None),
                                                 (4, ["3", "x\ny"], None), (6, ["4", "5"], None)]
    assert got[2][3] == '3,"x\ny"\n'
    assert got[3][3] == "4,5"


def test_a_bom_is_dropped_and_crlf_is_fine():
    got = records(b"\xef\xbb\xbfa,b\r\n1,2\r\n")
    assert [r[1] for r in got] == [["a", "b"], ["1", "2"]]


def test_invalid_utf8_names_the_byte_offset_of_the_first_bad_byte():
    data = b"a,b\n1,ok\n2,caf\xe9\n3,\xff\xfe\n"
    got = records(data)
    assert got[2][2] == "not valid UTF-8 at byte offset 14 (line 3): save the file as UTF-8"
    assert got[3][2] == "not valid UTF-8 at byte offset 18 (line 4): save the file as UTF-8"
    assert got[1][2] is None


def test_an_unterminated_quote_at_the_end_is_reported():
    got = records(b'a,b\n1,2\n3,"open\nmore\n')
    assert got[-1][0] == 3
    assert got[-1][2].startswith("unterminated quoted value starting on line 3")


def test_nul_bytes_are_a_problem():
    got = records(b"a,b\n1,x\x00y\n")
    assert "NUL" in got[1][2]


def by_blocks(data: bytes, block: int) -> list[tuple]:
    """What the import reads: the header record by record, then blocks of plain rows and single records."""
    src = ingest._ByteLines(io.BytesIO(data))
    header = next(ingest._record_run(src, until_caught_up=False))
    got = [header]
    for item in ingest._csv_items(src, len(header[1] or ()), block):
        if isinstance(item, ingest._Block):
            got += [(item.start + i, f, None, line) for i, (f, line) in enumerate(zip(item.fields, item.lines, strict=True))]
        else:
            got.append(item)
    return [(n, f, p, raw.rstrip("\r\n")) for n, f, p, raw in got]


TRICKY_CSV = [
    b'a,b\n1,2\n\n3,"x\ny"\n4,5',
    b"\xef\xbb\xbfa,b\r\n1,2\r\n3,4\r\n",
    b"a,b\n1,ok\n2,caf\xe9\n3,\xff\xfe\n4,fine\n",
    b'a,b\n1,2\n3,"open\nmore\n',
    b"a,b\n1,x\x00y\n2,z\n",
    b'a,b\n1,"q""uote"\n2,"a,b"\n3,c\r\n4,"d\r\ne"\n5,x\ry\n6,"e"f\n7\n8,9,10\n9,"\n"\n',
    b'a,b\n' + b"".join(b"%d,row %d\n" % (i, i) for i in range(40)) + b'41,"multi\nline"\n42,last',
]


@pytest.mark.parametrize("data", TRICKY_CSV)
@pytest.mark.parametrize("block", [1, 9, 64, 1 << 20])
def test_reading_in_blocks_finds_exactly_the_records_the_record_reader_finds(data, block):
    expected = [(n, f, p, raw.rstrip("\r\n")) for n, f, p, raw in records(data)]
    assert by_blocks(data, block) == expected


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(["a", "b", ",", ",", '"', '""', "\n", "\n", "\r\n", "\r", " ", "é", "\x00"]),
                max_size=60),
       st.sampled_from([1, 5, 17, 1 << 20]))
def test_any_text_reads_the_same_in_blocks_as_record_by_record(pieces, block):
    data = ("h1,h2\n" + "".join(pieces)).encode("utf-8")
    assert by_blocks(data, block) == [(n, f, p, raw.rstrip("\r\n")) for n, f, p, raw in records(data)]


@pytest.mark.parametrize("data", TRICKY_CSV[:1] + TRICKY_CSV[-1:])
def test_raw_rows_of_a_file_are_read_again_with_their_line_numbers(data):
    assert [(n, raw.rstrip("\r\n")) for n, raw in ingest._csv_raw_rows(io.BytesIO(data))] == [
        (n, raw.rstrip("\r\n")) for n, _, _, raw in records(data)]


def test_copy_text_escapes_only_what_copy_reads_specially():
    text = ingest.copy_text([[1, None], ["a\tb", None], ["x\\y\nz\r", "plain"], [True, None], ["", "2024-01-02"]],
                            ("int", "text", "text", "bool", "text"))
    assert text == "1\ta\\tb\tx\\\\y\\nz\\r\tt\t\n\\N\t\\N\tplain\t\\N\t2024-01-02\n"


def test_json_lines_records():
    data = b'{"a": 1}\n\n{"a": \n[1]\n{"a": "\xc3\xa9"}'
    got = list(ingest._jsonl_records(io.BytesIO(data)))
    assert [(r[0], r[1]) for r in got] == [(1, {"a": 1}), (3, None), (4, None), (5, {"a": "é"})]
    assert got[1][2].startswith("not valid JSON")
    assert ingest._json_text({"x": [1]}) == '{"x": [1]}'
    assert ingest._json_text(True) == "true" and ingest._json_text(None) == "" and ingest._json_text(2.5) == "2.5"


def test_bundle_members_in_load_order_and_unknown_files(tmp_path):
    for name in ("documents.csv", "centers.jsonl", "zones.csv", "notes.txt", "other.csv", ".hidden"):
        (tmp_path / name).write_text("x")
    with ExitStack() as stack:
        members, ignored, _ = ingest._bundle_members(tmp_path, stack)
    assert [(m.name, m.entity, m.fmt) for m in members] == [
        ("zones.csv", "zones", "csv"), ("centers.jsonl", "centers", "jsonl"), ("documents.csv", "documents", "csv")]
    assert ignored == ["notes.txt", "other.csv"]


def test_zip_members_inside_one_folder(tmp_path):
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("export/zones.csv", "zone_code,zone_name\nZ1,North\n")
        zf.writestr("export/sub/documents.csv", "x")
        zf.writestr("__MACOSX/export/._zones.csv", "x")
    with ExitStack() as stack:
        members, ignored, _ = ingest._bundle_members(path, stack)
        assert [m.name for m in members] == ["zones.csv"]
        assert members[0].open().read() == b"zone_code,zone_name\nZ1,North\n"
    assert ignored == ["sub/documents.csv"]


def test_missing_and_bad_paths_raise_a_plain_error(tmp_path):
    with ExitStack() as stack, pytest.raises(ingest.BundleError, match="does not exist"):
        ingest._bundle_members(tmp_path / "nope", stack)
    (tmp_path / "x.zip").write_bytes(b"nope")
    with ExitStack() as stack, pytest.raises(ingest.BundleError, match="zip"):
        ingest._bundle_members(tmp_path / "x.zip", stack)


# --- summary ------------------------------------------------------------------------------------
def test_describe_lists_counts_report_and_failure():
    s = ingest.ImportSummary(run_id=7, source="b", status="succeeded", read=5, loaded=3, updated=1, unchanged=0,
                             rejected=1, rejections_file=Path("/x/import_7_rejections.csv"))
    assert s.describe().splitlines() == ["read 5, loaded 3, updated 1, unchanged 0, superseded 0, rejected 1",
                                         "rejected rows and problems: /x/import_7_rejections.csv"]
    f = ingest.ImportSummary(run_id=8, source="b", status="failed", error="boom")
    assert "import 8 failed, nothing was loaded: boom" in f.describe()


# --- docs/DATA_FORMAT.md stays true to bundle.py -------------------------------------------------
DOC = Path(__file__).resolve().parents[2] / "docs" / "DATA_FORMAT.md"
TYPE_WORDS = {"str": "text", "int": "int", "decimal": "decimal", "date": "date", "datetime": "datetime", "bool": "bool"}


def documented_entities() -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("### `"):
            current = line.split("`")[1]
            out[current] = []
        elif line.startswith("## "):
            current = None
        elif current and line.startswith("| ") and not line.startswith("| Column") and not line.startswith("|---"):
            out[current].append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return out


def test_the_format_document_lists_every_entity_and_column_as_bundle_py_defines_them():
    documented = documented_entities()
    assert list(documented) == list(bundle.ENTITY_ORDER)
    for name, entity in bundle.ENTITIES.items():
        rows = documented[name]
        assert [r[0] for r in rows] == entity.column_names, name
        for c, (cname, typ, required, allowed, _meaning) in zip(entity.columns, rows, strict=True):
            where = f"{name}.{cname}"
            assert typ.split()[0] == TYPE_WORDS[c.type], where
            assert ("≤ " + str(c.max_len) in typ) if c.max_len else ("≤" not in typ), where
            assert required == ("yes" if c.required else "no"), where
            listed = allowed.split("`")[1::2]
            assert listed == list(c.allowed or ()), where
            if c.min_value is None:
                assert "≥" not in allowed, where
            else:
                assert f"≥ {c.min_value:g}" in allowed, where
    text = DOC.read_text(encoding="utf-8")
    assert " → ".join(bundle.ENTITY_ORDER) in text.replace("\n", " ")
    for name, entity in bundle.ENTITIES.items():
        assert f"Natural key: `{'`, `'.join(entity.key)}`" in text.replace("\n", " "), name


# --- rollup refresh grouping ------------------------------------------------------------------------
def test_alike_changed_ranges_share_one_rollup_refresh():
    from datetime import date, timedelta

    d = date(2024, 6, 30)
    daily = {cid: (d - timedelta(days=cid % 3), d) for cid in range(1, 40)}
    assert ingest.refresh_groups(daily) == [(list(range(1, 40)), d - timedelta(days=2), d)]
    # one center with an old correction does not drag every center through its history
    skewed = {**daily, 99: (date(2023, 1, 5), date(2023, 1, 5))}
    groups = ingest.refresh_groups(skewed)
    assert groups[0] == ([99], date(2023, 1, 5), date(2023, 1, 5))
    assert groups[1][0] == list(range(1, 40))
    # every range is covered by its group
    for ids, d0, d1 in groups:
        assert all(d0 <= skewed[c][0] and skewed[c][1] <= d1 for c in ids)
    assert ingest.refresh_groups({}) == []
