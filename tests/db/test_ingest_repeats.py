"""Keys a bundle repeats (a sync log holding every attempt of a document), on SQLite and PostgreSQL: the newest row
of a key wins, compared in UTC, the later line on equal times; the rows it replaces are counted as superseded, not
rejected; a repeated document keeps the largest attempts of its rows (docs/DATA_FORMAT.md, repeated keys)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.db.test_ingest import base, docs, rows, run


def test_a_retry_later_in_the_log_replaces_the_failed_attempt(engine, tmp_path):
    s = run(engine, tmp_path, base(**{"documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-03-12", "10", "failed", "", 1, "2024-03-13T02:00:00Z", "", "boom"],
        ["C1", "invoice", "INV-2", "2024-03-12", "10", "processed", "", 1, "2024-03-13T02:00:00Z", "Q-2", ""],
        ["C1", "invoice", "INV-1", "2024-03-12", "10", "processed", "", 2, "2024-03-13 08:00:00+01:00", "Q-1", ""],
    )}))
    assert s.status == "succeeded", s.error
    assert s.describe().splitlines()[0] == "read 7, loaded 6, updated 0, unchanged 0, superseded 1, rejected 0"
    assert s.rejections_file is None
    assert rows(engine, "SELECT status, attempts, external_ref FROM sync_document WHERE document_no = 'INV-1'") == [
        ("processed", 2, "Q-1")]
    # the report counts it as processed, on its sync date
    assert rows(engine, "SELECT status, documents FROM sync_daily WHERE report_line = 'invoices' "
                        "AND status = 'failed'") == []
    # the same log imported again changes nothing: its newest row is what is stored
    again = run(engine, tmp_path, base(**{"documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-03-12", "10", "failed", "", 1, "2024-03-13T02:00:00Z", "", "boom"],
        ["C1", "invoice", "INV-2", "2024-03-12", "10", "processed", "", 1, "2024-03-13T02:00:00Z", "Q-2", ""],
        ["C1", "invoice", "INV-1", "2024-03-12", "10", "processed", "", 2, "2024-03-13 08:00:00+01:00", "Q-1", ""],
    )}), name="again")
    assert again.per_entity["documents"] == {"read": 3, "loaded": 0, "updated": 0, "unchanged": 2, "superseded": 1,
                                             "rejected": 0}


def test_an_earlier_line_with_a_newer_time_wins_offsets_honoured(engine, tmp_path):
    s = run(engine, tmp_path, base(**{"documents.csv": docs(
        # 07:30 UTC, first in the file
        ["C1", "invoice", "INV-1", "2024-03-12", "10", "processed", "", 1, "2024-03-13T09:30:00+02:00", "Q-1", ""],
        # 08:00 local but 07:00 UTC: older, although later in the file; its attempts are kept
        ["C1", "invoice", "INV-1", "2024-03-12", "10", "failed", "", 4, "2024-03-13T08:00:00+01:00", "", "boom"],
        # no time at all: older than any row with one
        ["C1", "invoice", "INV-1", "2024-03-12", "10", "pending", "awaiting_schedule", 0, "", "", ""],
    )}))
    assert s.status == "succeeded", s.error
    assert (s.loaded, s.superseded, s.rejected) == (5, 2, 0)
    assert rows(engine, "SELECT status, attempts FROM sync_document") == [("processed", 4)]


def test_other_entities_keep_the_later_line(engine, tmp_path):
    s = run(engine, tmp_path, base(**{
        "centers.csv": "center_code,center_name,zone_code,platform\nC1,Old name,Z1,qbo\nC2,Two,Z2,xero\n"
                       "C1,New name,Z1,qbo\n",
        "sale_orders.csv": "center_code,invoice_no,guest,sale_date,amount,summary_invoice_no\n"
                           "C1,INV-1,Ann,2024-01-10,10.00,\nC1,INV-1,Bob,2024-01-10,12.00,\n",
        "accounts.csv": "center_code,account_code,account_name,account_type,active,last_read_at,deleted_in_platform_at\n"
                        "C1,4000,Sales,income,true,2024-01-05T00:00:00,\nC1,4000,Sales,income,false,,\n",
    }))
    assert s.status == "succeeded", s.error
    assert {e: (c["loaded"], c["superseded"]) for e, c in s.per_entity.items()} == {
        "zones": (2, 0), "centers": (2, 1), "sale_orders": (1, 1), "accounts": (1, 1)}
    assert rows(engine, "SELECT name FROM center WHERE code = 'C1'") == [("New name",)]
    assert rows(engine, "SELECT guest, amount FROM sale_order")[0][0] == "Bob"
    with engine.connect() as conn:
        active = conn.execute(sa.text("SELECT active, last_read_at FROM account")).one()
    assert not active[0] and active[1] is None


def test_the_repeat_example_in_the_format_document_imports_as_described(engine, tmp_path):
    text = (Path(__file__).resolve().parents[2] / "docs" / "DATA_FORMAT.md").read_text(encoding="utf-8")
    example = text.split("Example: `documents.csv` holds", 1)[1].split("```csv\n", 1)[1].split("```", 1)[0]
    s = run(engine, tmp_path, base(**{"documents.csv": example}))
    assert s.status == "succeeded", s.error
    assert s.per_entity["documents"] == {"read": 3, "loaded": 2, "updated": 0, "unchanged": 0, "superseded": 1,
                                         "rejected": 0}
    assert rows(engine, "SELECT status, attempts, external_ref FROM sync_document WHERE document_no = 'INV-1'") == [
        ("processed", 1, "QB-1")]
