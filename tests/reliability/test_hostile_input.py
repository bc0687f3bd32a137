"""Hostile input: fuzzed import bundles, hostile URL parameters on every page, formula injection in exports.

Response payloads are fuzzed where the parser lives: tests/unit/test_messages.py (arbitrary bytes, text,
JSON and truncations never raise), not repeated here.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncstatus import exports, ingest, links
from syncstatus.bundle import ENTITIES
from syncstatus.reports import documents, sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import DOCUMENT_KINDS, DOCUMENT_STATUSES, center, sync_document
from tests.conftest import ROOT
from tests.reliability import hostile
from tests.reliability.conftest import fresh_sqlite, table_counts

DOC_COLUMNS = ENTITIES["documents"].column_names
FUZZ_EXAMPLES = {"sqlite": 40, "postgresql": 15}

# --- fuzzed bundles ---------------------------------------------------------------------------------

GOOD_CELLS = {
    "center_code": ["C1", "C2", "c1"], "kind": ["invoice", "misc_journal", "INVOICE"], "status": ["failed", "processed", "pending"],
    "sync_date": ["2026-11-01", "2026-11-20"], "amount": ["10.00", "0", "-3.5"], "attempts": ["1", "0", ""],
    "pending_reason": ["", "awaiting_schedule"], "last_attempt_at": ["", "2026-11-01T10:00:00"],
    "external_ref": ["", "X-1"], "response": ["", hostile.XSS_RESPONSE, '{"Fault":{"Error":[{"code":"6140"}]}}'],
}
hostile_cell = st.one_of(
    st.sampled_from(hostile.EVERYTHING),
    st.text(max_size=80),
    st.text(alphabet=st.sampled_from('",\r\n\'=+-@;\t '), max_size=30),  # quotes, separators, line breaks
    st.integers(1, 200_001).map(lambda n: "y" * n),                        # huge fields, past every limit
)


@st.composite
def document_row(draw):
    row = []
    for col in DOC_COLUMNS:
        if col == "document_no":
            good = draw(st.integers(0, 50)).__str__()
            row.append(draw(st.one_of(st.just(f"D{good}"), hostile_cell)))
        elif draw(st.integers(0, 4)) == 0:
            row.append(draw(hostile_cell))
        else:
            row.append(draw(st.sampled_from(GOOD_CELLS[col])))
    cut = draw(st.integers(0, 6))  # sometimes too few or too many fields
    if cut == 1:
        row = row[: draw(st.integers(0, len(row) - 1))]
    elif cut == 2:
        row = row + draw(st.lists(hostile_cell, min_size=1, max_size=5))
    return row


@st.composite
def documents_file(draw) -> bytes:
    shape = draw(st.sampled_from(["rows", "rows", "rows", "bytes", "no_columns", "many_columns", "header_only"]))
    if shape == "bytes":
        return draw(st.binary(max_size=3000))
    header = list(DOC_COLUMNS)
    if shape == "no_columns":
        header = []
    elif shape == "many_columns":
        header = header + [f"extra_{i}" for i in range(draw(st.integers(1, 2000)))]
    rows = [] if shape == "header_only" else draw(st.lists(document_row(), max_size=25))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])))
    if header or shape == "no_columns":
        w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    if draw(st.booleans()) and text:
        text = text[: draw(st.integers(0, len(text)))]  # truncated mid-row or mid-quote
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    return codecs.encode(text, encoding, errors="replace")


def base_bundle(out: Path) -> None:
    (out / "zones.csv").write_text("zone_code,zone_name\nZ1,Zone\n")
    (out / "centers.csv").write_text(
        "center_code,center_name,zone_code,platform\nC1,One,Z1,qbo\nC2,Two,Z1,xero\n")


def doc_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sync_document)).scalar_one()


def assert_ledger_holds_only_valid_rows(engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sync_document.c.kind, sync_document.c.status, sync_document.c.document_no,
                                      sync_document.c.center_id, sync_document.c.sync_date)).all()
        centers = set(conn.execute(sa.select(center.c.id)).scalars())
    for r in rows:
        assert r.kind in DOCUMENT_KINDS and r.status in DOCUMENT_STATUSES
        assert r.center_id in centers and r.sync_date is not None
        assert 0 < len(r.document_no) <= ENTITIES["documents"].columns[2].max_len
        assert "\x00" not in r.document_no


def test_fuzzed_documents_files_never_crash_the_importer_and_every_row_is_accounted_for(engine, request):
    examples = FUZZ_EXAMPLES[engine.dialect.name]
    tried = {"files": 0, "rows": 0, "rejected": 0}

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(documents_file())
    def check(data: bytes):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "bundle"
            out.mkdir()
            base_bundle(out)
            (out / "documents.csv").write_bytes(data)
            before = doc_count(engine)
            summary = ingest.import_bundle(engine, out, rejections_dir=Path(tmp) / "rejections")
            assert summary.status == "succeeded", summary.error
            for name, c in summary.per_entity.items():
                assert c["read"] == c["loaded"] + c["updated"] + c["unchanged"] + c["superseded"] + c["rejected"], name
            docs = summary.per_entity.get("documents", dict.fromkeys(ingest.COUNT_KEYS, 0))
            assert doc_count(engine) - before == docs["loaded"]
            assert_ledger_holds_only_valid_rows(engine)
            tried["files"] += 1
            tried["rows"] += docs["read"]
            tried["rejected"] += docs["rejected"]

    check()
    assert tried["files"] == examples
    assert tried["rejected"] > 0  # the fuzzer really produced bad rows, and they were turned away
    request.node.user_properties.append(("fuzz", tried))


def test_formula_and_markup_values_load_as_plain_text_and_round_trip_unchanged(tmp_path):
    engine = fresh_sqlite(tmp_path / "h.db")
    summary = ingest.import_bundle(engine, hostile.hostile_bundle(tmp_path / "bundle"), rejections_dir=tmp_path)
    assert summary.status == "succeeded" and summary.rejected == 0
    with engine.connect() as conn:
        names = set(conn.execute(sa.select(center.c.name)).scalars())
        responses = set(conn.execute(sa.select(sync_document.c.raw_response)).scalars())
    assert hostile.XSS_NAME in names and hostile.FORMULAS[0] in names
    assert hostile.XSS_RESPONSE in responses


# --- exports through the real report path -------------------------------------------------------------

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_engine(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    engine = fresh_sqlite(tmp / "h.db")
    assert ingest.import_bundle(engine, hostile.hostile_bundle(tmp / "bundle"), rejections_dir=tmp).status == "succeeded"
    yield engine
    engine.dispose()


def report_tables(engine) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        ids = tuple(conn.execute(sa.select(center.c.id)).scalars())
    f = ReportFilters(hostile.DAY - timedelta(days=30), hostile.DAY)
    return {
        "sync_status": sync_status.build(engine, ids, f).table,
        "sale_orders": documents.sale_orders(engine, ids, f).table,
        "failed_documents": documents.failed_documents(engine, ids, f),
    }


def _dangerous_text(values) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.startswith(DANGEROUS)]


def test_csv_exports_of_real_reports_neutralize_every_formula_cell(hostile_engine):
    for name, table in report_tables(hostile_engine).items():
        assert not table.empty, name
        raw = exports.to_csv_bytes(table).decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(raw)) for c in row]
        assert any(c.startswith("'=HYPERLINK") or c.startswith("'+cmd") for c in cells), name
        bad = [c for c in cells if c.startswith(DANGEROUS) and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
        assert bad == [], f"{name}: formula cells reach the spreadsheet: {bad[:3]}"


def test_xlsx_exports_of_real_reports_hold_no_formulas_and_show_the_text_quoted(hostile_engine):
    for name, table in report_tables(hostile_engine).items():
        wb = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes(table, sheet=name[:30], title=name)))
        cells = [c for row in wb.active.iter_rows() for c in row if c.value is not None]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], name
        assert _dangerous_text(c.value for c in cells) == [], name
        assert any(str(c.value).startswith("'=HYPERLINK") for c in cells) or name == "failed_documents"


# --- hostile URL parameters on every page ----------------------------------------------------------------

TITLES = {p.key: re.search(r'st\.title\("([^"]+)"\)', (ROOT / p.path).read_text()).group(1) for p in links.PAGES}
PARAM_NAMES = [v for k, v in vars(links.Param).items() if k.isupper()]


def hostile_params(variant: int) -> dict[str, str | list[str]]:
    """Every query parameter the app knows (plus unknown ones), each a different hostile value."""
    values = hostile.EVERYTHING
    params: dict[str, str | list[str]] = {}
    for i, name in enumerate(PARAM_NAMES):
        params[name] = values[(i * 7 + variant) % len(values)]
    params[links.Param.CENTER] = [values[variant % len(values)], "C001", values[(variant + 3) % len(values)]]
    params[links.Param.ZONE] = [values[(variant + 5) % len(values)]]
    params["../../etc/passwd"] = "1"
    params["x" * 300] = values[variant % len(values)]
    return params


@pytest.fixture
def hostile_app_db(demo_sqlite_engine, monkeypatch):
    from syncstatus.access import create_demo_users

    create_demo_users(demo_sqlite_engine)
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_engine.url.render_as_string(hide_password=False))
    return demo_sqlite_engine


def _open_with(page: str, params: dict):
    from tests.app.conftest import open_page

    return open_page(page, params=params)


@pytest.mark.parametrize("page", [p.key for p in links.PAGES])
def test_every_page_survives_hostile_query_parameters_and_leaves_the_database_unchanged(hostile_app_db, page):
    before = table_counts(hostile_app_db)
    at = _open_with(page, hostile_params(variant=0))
    assert not at.exception, f"{page}: {at.exception[0].value if at.exception else ''}"
    assert [t.value for t in at.title][:1] == [TITLES[page]]
    assert table_counts(hostile_app_db) == before


@pytest.mark.long
@pytest.mark.parametrize("variant", range(1, len(hostile.EVERYTHING)))
@pytest.mark.parametrize("page", [p.key for p in links.PAGES])
def test_every_page_survives_every_hostile_value_in_every_parameter(hostile_app_db, page, variant):
    before = table_counts(hostile_app_db)
    at = _open_with(page, hostile_params(variant))
    assert not at.exception, f"{page}: {at.exception[0].value if at.exception else ''}"
    assert [t.value for t in at.title][:1] == [TITLES[page]]
    assert table_counts(hostile_app_db) == before


def test_a_hostile_invoice_number_on_the_summary_page_looks_like_a_missing_one(hostile_app_db):
    for value in hostile.SQL_INJECTION + hostile.PATHS:
        at = _open_with("sale_order_summary_details", {links.Param.INVOICE: value})
        assert not at.exception
        assert [t.value for t in at.title] == [TITLES["sale_order_summary_details"]]
        assert len(at.dataframe) == 0, f"{value!r} found documents"

