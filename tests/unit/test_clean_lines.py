"""The bulk load's clean-line path (ingest._CleanLines): a CSV value its regular expression accepts must be one the
usual checks accept and store exactly as written, so that sending the line to the server as it is stores what the
row-by-row path stores. (Whole imports through both paths are compared in tests/db/test_ingest.py.)"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncstatus import bundle, ingest

BULK_ENTITIES = sorted(ingest.PLAIN_INSERTS | {"documents"})
COLUMNS = [(e, c) for e in BULK_ENTITIES for c in bundle.ENTITIES[e].columns]


def test_a_blank_in_a_pattern_is_exactly_what_str_strip_removes():
    blank = re.compile(r"\s")
    differ = [hex(i) for i in range(sys.maxunicode + 1)
              if bool(blank.match(chr(i))) != (("x" + chr(i)).strip() == "x")]
    assert differ == []


@pytest.mark.parametrize("year", ["0000", "0001", "0004", "0100", "1900", "1996", "2000", "2023", "2024", "2100",
                                  "2400", "9996", "9999"])
def test_a_clean_date_is_exactly_a_calendar_day_written_yyyy_mm_dd(year):
    pattern = re.compile(ingest.CLEAN_DATE)
    for month in range(14):
        for day in range(33):
            text = f"{year}-{month:02d}-{day:02d}"
            try:
                date.fromisoformat(text)
                valid = True
            except ValueError:
                valid = False
            assert bool(pattern.fullmatch(text)) == valid, text


def test_every_leap_day_and_only_those_is_clean():
    pattern = re.compile(ingest.CLEAN_DATE)
    for year in range(10_000):
        text = f"{year:04d}-02-29"
        leap = year > 0 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        assert bool(pattern.fullmatch(text)) == leap, text


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
       st.sampled_from(["T", " "]), st.sampled_from(["seconds", "milliseconds", "microseconds"]))
def test_a_clean_time_stamp_matches_every_naive_iso_time_stamp(moment, sep, spec):
    pattern = re.compile(f"{ingest.CLEAN_DATE}[T ]{ingest.CLEAN_TIME}")
    assert pattern.fullmatch(moment.isoformat(sep, spec))


LOOSE = {   # near the clean form of each type, and often just off it
    "int": r"[-+ ]?[0-9\u0663_]{0,11} ?",
    "decimal": r"[-+ ]?[0-9\u0663_]{0,15}(\.[0-9]{0,3})?[ \u00a0e]?",
    "date": r" ?[0-9\u0663]{4}-[0-9]{2}-[0-9]{2}[ T]?",
    "datetime": r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,7})?(Z|[+-][0-9]{2}:[0-9]{2})? ?",
}


VALID = {   # the clean forms themselves, over their whole range
    "int": st.integers(-(10**10), 10**10).map(str),
    "decimal": st.decimals(min_value=-(10**13), max_value=10**13, places=2).map(str),
    "date": st.dates().map(date.isoformat),
    "datetime": st.builds(datetime.isoformat, st.datetimes(), st.sampled_from("T "),
                          st.sampled_from(["seconds", "milliseconds", "microseconds"])),
}


def values(col: bundle.Col) -> st.SearchStrategy[str]:
    """Texts near the column's clean form and around its edges: blanks of several kinds, separators, quotes,
    signs, non-ASCII digits, allowed words in other cases, lengths at the limit."""
    pieces = ["0", "1", "9", "12", "-", ".", "+", "_", " ", "\t", "\u00a0", "\u2003", "\x1c", ",", '"', "T", ":",
              "e", "a", "Z", "\u00e9", "\u0663", "x" * 39, "y" * 59, "z" * 99]
    pieces += list(col.allowed or ())
    pieces += [a.upper() for a in col.allowed or ()]
    joined = st.lists(st.sampled_from(pieces), min_size=1, max_size=6).map("".join)
    if col.allowed:
        return st.one_of(st.sampled_from(col.allowed), joined)
    if col.type in LOOSE:
        return st.one_of(VALID[col.type], st.from_regex(LOOSE[col.type], fullmatch=True), joined)
    return joined


@pytest.mark.parametrize(("entity", "col"), COLUMNS, ids=[f"{e}.{c.name}" for e, c in COLUMNS])
@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_a_value_the_clean_path_takes_is_stored_as_written(entity, col, data):
    db_col = ingest._db_column(bundle.ENTITIES[entity], col)
    pattern = ingest.clean_value_pattern(col, db_col)
    assert pattern is not None   # every column of a bulk-loaded entity has a clean form
    text = data.draw(values(col))
    if not re.fullmatch(pattern, text):
        return
    assert text == text.strip()
    convert = ingest.make_converter(col, db_col)
    bulk = ingest.make_bulk_converter(col, db_col)
    stored = convert(text)          # raises _Bad for a value the usual checks reject
    if col.type == "int":
        assert stored == int(text) and bulk([text]) == [int(text)]   # the server reads the digits the same way
    elif col.type == "decimal":   # the same number; the server pads it to the column's scale, as the converter does
        assert Decimal(stored) == Decimal(text) and -Decimal(stored).as_tuple().exponent == db_col.type.scale
        assert len(text.partition(".")[2]) <= db_col.type.scale
        assert list(map(Decimal, bulk([text]))) == [Decimal(text)]
    else:
        assert stored == text and bulk([text]) == [text]


def test_a_document_line_is_clean_only_when_its_response_needs_no_parsing():
    entity = bundle.ENTITIES["documents"]
    names = list(entity.column_names)
    line = re.compile(ingest._CleanLines.line_pattern(entity, names))

    def clean(status="processed", ext="QB-1", response="", attempts="1", sep="\n"):
        text = f"C1,invoice,INV-1,2024-01-10,10.00,{status},,{attempts},2024-01-11T02:00:00,{ext},{response}{sep}"
        return line.match(text).end() == len(text)

    assert clean() and clean(sep="\r\n") and clean(ext="") and clean(response="ok")
    assert not clean(status="failed") and not clean(status="pending")   # their responses are parsed
    assert not clean(ext="", response="ok")   # the reference is looked for in the response
    assert not clean(attempts="")              # an empty attempts becomes 0
    # another column order: the same rule, by lookahead
    shuffled = ["center_code", "response", "kind", "document_no", "sync_date", "amount", "status", "pending_reason",
                "attempts", "last_attempt_at", "external_ref"]
    other = re.compile(ingest._CleanLines.line_pattern(entity, shuffled))
    for response, ext, ok in (("ok", "QB-1", True), ("", "", True), ("ok", "", False)):
        text = f"C1,{response},invoice,INV-1,2024-01-10,10.00,processed,,1,2024-01-11T02:00:00,{ext}\n"
        assert (other.match(text).end() == len(text)) == ok, (response, ext)


def test_checked_rows_are_written_as_csv_with_no_value_apart_from_an_empty_text():
    cols = [[1, 2, None], ["a,b", 'say "hi"', ""], [None, "plain", "two\nlines"], [True, False, None]]
    assert ingest.copy_csv(cols, ("int", "text", "text", "bool")) == [
        '1,"a,b",,t', '2,"say ""hi""",plain,f', ',"","two\nlines",']
