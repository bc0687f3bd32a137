"""The importer end to end, on SQLite and PostgreSQL: loading, re-import, newer-wins updates, zip and JSON Lines
bundles, atomic failure, the rollup and config maintenance it drives, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncstatus import cli, ingest, rollup, schema, sql

ZONES = "zone_code,zone_name\nZ1,North\nZ2,South\n"
CENTERS = (
    "center_code,center_name,zone_code,platform,timezone,active\n"
    "C1,Center One,Z1,qbo,Europe/Paris,true\n"
    "C2,Center Two,Z2,xero,,\n"
)
DOC_HEADER = "center_code,kind,document_no,sync_date,amount,status,pending_reason,attempts,last_attempt_at,external_ref,response\n"
QBO_DUPLICATE = json.dumps({"Fault": {"Error": [{"Message": "Duplicate Document Number Error",
                                                 "Detail": "Duplicate Document Number Error", "code": "6140"}],
                                      "type": "ValidationFault"}})


def write_bundle(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a tiny bundle: file name -> text (UTF-8) or raw bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


def csv_text(header: str, rows: list[list[object]]) -> str:
    lines = [header.rstrip("\n")]
    for r in rows:
        out = []
        for v in r:
            s = "" if v is None else str(v)
            out.append('"' + s.replace('"', '""') + '"' if any(ch in s for ch in ',"\n') else s)
        lines.append(",".join(out))
    return "\n".join(lines) + "\n"


def docs(*rows: list[object]) -> str:
    return csv_text(DOC_HEADER, list(rows))


def base(**more: str) -> dict[str, str]:
    return {"zones.csv": ZONES, "centers.csv": CENTERS, **more}


def run(engine, tmp_path: Path, files: dict[str, str | bytes], name: str = "bundle", **kw) -> ingest.ImportSummary:
    folder = write_bundle(tmp_path / name, files)
    return ingest.import_bundle(engine, folder, rejections_dir=tmp_path / "rejections", **kw)


def rows(engine, query: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query), params)]


def typed(engine, stmt) -> list[tuple]:
    """Rows of a Core select: dates and times come back typed on SQLite too."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt)]


S = schema
C = schema.center.alias("c")


def scalar(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(query), params).scalar()


def reconciles(summary: ingest.ImportSummary) -> bool:
    parts = ("loaded", "updated", "unchanged", "superseded", "rejected")
    per_entity = all(c["read"] == sum(c[k] for k in parts) for c in summary.per_entity.values())
    return per_entity and summary.read == sum(getattr(summary, k) for k in parts)


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every data table's rows in a stable order (ids included), except the import bookkeeping."""
    skip = {"import_run", "import_rejection", "import_center"}
    out = {}
    with engine.connect() as conn:
        for t in schema.metadata.sorted_tables:
            if t.name in skip:
                continue
            out[t.name] = sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
    return out


def daily(engine) -> dict[tuple, int]:
    got = rows(engine, "SELECT c.code, d.sync_date, d.report_line, d.status, d.category, d.documents "
                       "FROM sync_daily d JOIN center c ON c.id = d.center_id")
    return {(r[0], str(r[1]), r[2], r[3], r[4]): r[5] for r in got}


FULL_BUNDLE = base(**{
    "sync_configs.csv": "center_code,effective_from,sync_type\nC1,2024-01-01,invoice_wise\nC1,2024-02-01,day_wise\n"
                        "C2,2024-01-01,invoice_wise_journal\n",
    "sync_jobs.csv": "center_code,job,enabled,schedule\nC1,post_sale,true,every 15 min\nC1,maintenance,no,\n",
    "job_runs.csv": "center_code,job,started_at,finished_at,status,processed,failed,message\n"
                    "C1,post_sale,2024-01-05T02:00:00Z,2024-01-05T02:03:00Z,succeeded,10,1,\n",
    "accounts.csv": "center_code,account_code,account_name,account_type,active,last_read_at,deleted_in_platform_at\n"
                    "C1,4000,Sales,income,true,2024-01-05T00:00:00,\nC1,1200,Old bank,bank,false,,2024-01-03T10:00:00\n",
    "items.csv": "center_code,item_code,item_name,item_type,mapped_item_type,platform_item,account_code,status,response,"
                 "deleted_in_platform_at\nC1,HAIR,Haircut,service,Service,Haircut,4000,failed,"
                 "\"Name 'Haircut' didn't match with mapped value.\",\n",
    "sale_orders.csv": "center_code,invoice_no,guest,sale_date,amount,summary_invoice_no\nC1,INV-1,Ann,2024-01-10,120.50,\n",
    "sale_order_lines.csv": "center_code,invoice_no,line_no,item_code,account_code,qty,amount\nC1,INV-1,1,HAIR,4000,1,120.50\n",
    "payments.csv": "center_code,payment_no,invoice_no,payment_type,account_code,amount,paid_on\n"
                    "C1,P-1,INV-1,MasterCard,1200,120.50,2024-01-10\n",
    "misc_journals.csv": "center_code,journal_no,register,kind,journal_date,debit_account_code,credit_account_code,amount\n"
                         "C1,MJ-1,R1,cash_deposit,2024-01-10,1200,4000,50\n",
    "stock_orders.csv": "center_code,kind,order_no,order_date,amount,deleted_at\n"
                        "C1,purchase_order,PO-1,2024-01-09,300,2024-01-11T09:00:00+02:00\n",
    "documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-01-10", "120.50", "processed", "", 1, "2024-01-11T02:00:00", "QB-77", ""],
        ["C1", "invoice", "INV-2", "2024-01-10", "80", "failed", "", 2, "2024-01-11T02:00:00", "", QBO_DUPLICATE],
        ["C1", "summary_invoice", "SUM-0210", "2024-02-10", "500", "pending", "awaiting_schedule", 0, "", "", ""],
        ["C1", "invoice", "INV-3", "2024-02-10", "60", "processed", "", 1, "2024-02-11T02:00:00", "QB-78", ""],
        ["C1", "misc_journal", "MJ-1", "2024-01-10", "50", "processed", "", 1, "2024-01-11T02:00:00", "QB-79", ""],
        ["C2", "payment", "P-9", "2024-01-31", "10", "archived", "", 1, "2024-02-01T02:00:00", "X-1", ""],
    ),
})


def test_a_bundle_with_every_entity_loads_and_maps_columns(engine, tmp_path):
    s = run(engine, tmp_path, FULL_BUNDLE)
    assert s.status == "succeeded", s.error
    assert s.rejected == 0 and s.rejections_file is None
    assert reconciles(s)
    assert s.read == s.loaded == 24
    assert s.per_entity["documents"] == {"read": 6, "loaded": 6, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 0}
    assert list(s.per_entity) == [e for e in ingest.bundle.ENTITY_ORDER if f"{e}.csv" in FULL_BUNDLE]

    assert rows(engine, "SELECT code, name FROM zone ORDER BY code") == [("Z1", "North"), ("Z2", "South")]
    centers = rows(engine, "SELECT c.code, c.name, z.code, c.platform, c.timezone, c.active "
                           "FROM center c JOIN zone z ON z.id = c.zone_id ORDER BY c.code")
    assert centers == [("C1", "Center One", "Z1", "qbo", "Europe/Paris", True), ("C2", "Center Two", "Z2", "xero", "UTC", True)]
    assert rows(engine, "SELECT code, type, active FROM account ORDER BY code") == [("1200", "bank", False), ("4000", "income", True)]
    assert rows(engine, "SELECT code, status, category FROM item") == [("HAIR", "failed", "mapping_missing")]
    assert rows(engine, "SELECT job, enabled, schedule FROM sync_job ORDER BY job") == [
        ("maintenance", False, ""), ("post_sale", True, "every 15 min")]
    jr = S.job_run.c
    run_row = typed(engine, sa.select(jr.started_at, jr.finished_at, jr.processed, jr.failed))[0]
    assert run_row == (datetime(2024, 1, 5, 2, 0), datetime(2024, 1, 5, 2, 3), 10, 1)
    # an offset is converted to naive UTC
    assert typed(engine, sa.select(S.stock_order.c.deleted_at)) == [(datetime(2024, 1, 11, 7, 0),)]
    assert Decimal(str(scalar(engine, "SELECT amount FROM sale_order"))) == Decimal("120.50")
    assert scalar(engine, "SELECT qty FROM sale_order_line") == 1

    doc = rows(engine, "SELECT status, attempts, response_code, category, message, external_ref, import_run_id "
                       "FROM sync_document WHERE document_no = 'INV-2'")[0]
    assert doc[:4] == ("failed", 2, "6140", "duplicate")
    assert "Duplicate Document Number" in doc[4]
    assert doc[5] is None and doc[6] == s.run_id
    # a processed document with its external reference keeps it; nothing to parse
    assert rows(engine, "SELECT external_ref, category FROM sync_document WHERE document_no = 'INV-1'") == [("QB-77", None)]

    # effective_to derived from the next config of the same center
    cfg = S.center_sync_config.c
    assert typed(engine, sa.select(C.c.code, cfg.effective_from, cfg.effective_to, cfg.sync_type)
                 .join_from(S.center_sync_config, C, C.c.id == cfg.center_id).order_by(C.c.code, cfg.effective_from)) == [
        ("C1", date(2024, 1, 1), date(2024, 2, 1), "invoice_wise"),
        ("C1", date(2024, 2, 1), None, "day_wise"),
        ("C2", date(2024, 1, 1), None, "invoice_wise_journal"),
    ]
    # run bookkeeping: the run, and every center it touched with its newest sync date
    assert rows(engine, "SELECT status, rows_read, rows_loaded, rows_rejected, error FROM import_run WHERE id = :i",
                i=s.run_id) == [("succeeded", 24, 24, 0, None)]
    ic = S.import_center.c
    assert typed(engine, sa.select(C.c.code, ic.newest_sync_date).join_from(S.import_center, C, C.c.id == ic.center_id)
                 .where(ic.import_run_id == s.run_id).order_by(C.c.code)) == [
        ("C1", date(2024, 2, 10)), ("C2", date(2024, 1, 31))]


def test_the_rollup_follows_the_config_in_force_on_each_date(engine, tmp_path):
    s = run(engine, tmp_path, FULL_BUNDLE)
    assert s.status == "succeeded", s.error
    assert daily(engine) == {
        ("C1", "2024-01-10", "invoices", "processed", ""): 1,
        ("C1", "2024-01-10", "invoices", "failed", "duplicate"): 1,
        ("C1", "2024-01-10", "misc_journals", "processed", ""): 1,
        ("C1", "2024-02-10", "invoices", "pending", ""): 1,          # summary invoice on a day-wise date
        ("C1", "2024-02-10", "not_counted", "processed", ""): 1,     # an invoice on a day-wise date
        ("C2", "2024-01-31", "payments", "archived", ""): 1,
    }
    m = S.sync_monthly.c
    monthly = typed(engine, sa.select(C.c.code, m.month_start, m.report_line, m.status, m.category, m.documents)
                    .join_from(S.sync_monthly, C, C.c.id == m.center_id).order_by(C.c.code, m.month_start, m.report_line,
                                                                                   m.status, m.category))
    assert monthly == [
        ("C1", date(2024, 1, 1), "invoices", "failed", "duplicate", 1),
        ("C1", date(2024, 1, 1), "invoices", "processed", "", 1),
        ("C1", date(2024, 1, 1), "misc_journals", "processed", "", 1),
        ("C1", date(2024, 2, 1), "invoices", "pending", "", 1),
        ("C1", date(2024, 2, 1), "not_counted", "processed", "", 1),
        ("C2", date(2024, 1, 1), "payments", "archived", "", 1),
    ]


def test_reimporting_the_same_bundle_changes_nothing(engine, tmp_path):
    first = run(engine, tmp_path, FULL_BUNDLE)
    assert first.status == "succeeded", first.error
    before = snapshot(engine)
    second = run(engine, tmp_path, FULL_BUNDLE)
    assert second.status == "succeeded", second.error
    assert (second.read, second.loaded, second.updated, second.unchanged, second.rejected) == (24, 0, 0, 24, 0)
    assert all(c["unchanged"] == c["read"] for c in second.per_entity.values())
    assert snapshot(engine) == before
    assert "read 24, loaded 0, updated 0, unchanged 24, superseded 0, rejected 0" == second.describe().splitlines()[0]


def test_a_newer_status_replaces_the_older_one(engine, tmp_path):
    run(engine, tmp_path, base(**{"documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-01-10", "10", "failed", "", 1, "2024-01-11T02:00:00", "", QBO_DUPLICATE],
        ["C1", "invoice", "INV-2", "2024-01-10", "10", "pending", "", 0, "", "", ""],
    )}), name="b1")
    assert daily(engine)[("C1", "2024-01-10", "invoices", "failed", "duplicate")] == 1
    s = run(engine, tmp_path, {"documents.csv": docs(
        # resynced later: processed now
        ["C1", "invoice", "INV-1", "2024-01-10", "10", "processed", "", 2, "2024-01-12T02:00:00", "QB-1", ""],
        # no timestamp on either side: the stored one has none, so the newer file wins
        ["C1", "invoice", "INV-2", "2024-01-10", "10", "failed", "", 1, "", "", "Please add credit or debit account."],
    )}, name="b2")
    assert s.status == "succeeded", s.error
    assert s.per_entity["documents"] == {"read": 2, "loaded": 0, "updated": 2, "unchanged": 0, "superseded": 0, "rejected": 0}
    got = rows(engine, "SELECT document_no, status, attempts, external_ref, category, import_run_id "
                       "FROM sync_document ORDER BY document_no")
    assert got == [("INV-1", "processed", 2, "QB-1", None, s.run_id), ("INV-2", "failed", 1, None, "mapping_missing", s.run_id)]
    assert daily(engine) == {("C1", "2024-01-10", "invoices", "processed", ""): 1,
                             ("C1", "2024-01-10", "invoices", "failed", "mapping_missing"): 1}


def test_an_older_status_does_not_replace_a_newer_one(engine, tmp_path):
    first = run(engine, tmp_path, base(**{"documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-01-10", "10", "processed", "", 2, "2024-01-12T02:00:00", "QB-1", ""],
    )}), name="b1")
    s = run(engine, tmp_path, {"documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-01-10", "10", "failed", "", 1, "2024-01-11T02:00:00", "", QBO_DUPLICATE],
    )}, name="b2")
    assert s.status == "succeeded", s.error
    assert s.per_entity["documents"] == {"read": 1, "loaded": 0, "updated": 0, "unchanged": 1, "superseded": 0, "rejected": 0}
    assert rows(engine, "SELECT status, attempts, import_run_id FROM sync_document") == [("processed", 2, first.run_id)]
    assert daily(engine) == {("C1", "2024-01-10", "invoices", "processed", ""): 1}


def test_more_attempts_count_as_newer_and_a_moved_sync_date_moves_the_rollup(engine, tmp_path):
    run(engine, tmp_path, base(**{"documents.csv": docs(
        ["C1", "payment", "P-1", "2024-01-31", "10", "failed", "", 1, "2024-02-01T02:00:00", "", QBO_DUPLICATE],
    )}), name="b1")
    s = run(engine, tmp_path, {"documents.csv": docs(
        ["C1", "payment", "P-1", "2024-02-01", "10", "processed", "", 2, "", "QB-2", ""],
    )}, name="b2")
    assert s.per_entity["documents"]["updated"] == 1
    assert daily(engine) == {("C1", "2024-02-01", "payments", "processed", ""): 1}
    m = S.sync_monthly.c
    months = typed(engine, sa.select(m.month_start, m.status, m.documents))
    assert months == [(date(2024, 2, 1), "processed", 1)]


def test_a_config_change_recounts_the_centers_whole_history(engine, tmp_path):
    run(engine, tmp_path, base(**{
        "sync_configs.csv": "center_code,effective_from,sync_type\nC1,2024-01-01,invoice_wise\n",
        "documents.csv": docs(
            ["C1", "invoice", "INV-1", "2024-01-10", "10", "processed", "", 1, "", "QB-1", ""],
            ["C1", "invoice", "INV-2", "2024-03-10", "10", "processed", "", 1, "", "QB-2", ""],
            ["C1", "summary_invoice", "S-0310", "2024-03-10", "20", "processed", "", 1, "", "QB-3", ""],
        ),
    }), name="b1")
    assert daily(engine)[("C1", "2024-03-10", "invoices", "processed", "")] == 1
    s = run(engine, tmp_path, {"sync_configs.csv": "center_code,effective_from,sync_type\nC1,2024-03-01,day_wise_journal\n"},
            name="b2")
    assert s.status == "succeeded", s.error
    cfg = S.center_sync_config.c
    assert typed(engine, sa.select(cfg.effective_from, cfg.effective_to).order_by(cfg.effective_from)) == [
        (date(2024, 1, 1), date(2024, 3, 1)), (date(2024, 3, 1), None)]
    assert daily(engine) == {
        ("C1", "2024-01-10", "invoices", "processed", ""): 1,
        ("C1", "2024-03-10", "invoices", "processed", ""): 1,       # the summary invoice now
        ("C1", "2024-03-10", "not_counted", "processed", ""): 1,    # the invoice no longer counts
    }


def test_refresh_all_rebuilds_the_same_rollups(engine, tmp_path):
    run(engine, tmp_path, FULL_BUNDLE)
    before_daily = daily(engine)
    before_monthly = rows(engine, "SELECT * FROM sync_monthly ORDER BY 1, 2, 3, 4, 5")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM sync_monthly"))
        conn.execute(sa.text("DELETE FROM sync_daily"))
        conn.execute(sa.text("UPDATE center_sync_config SET effective_to = NULL"))
        rollup.refresh_all(conn)
    assert daily(engine) == before_daily
    assert rows(engine, "SELECT * FROM sync_monthly ORDER BY 1, 2, 3, 4, 5") == before_monthly
    assert scalar(engine, "SELECT COUNT(*) FROM center_sync_config WHERE effective_to IS NOT NULL") == 1


def test_a_zip_bundle_loads_like_a_folder_even_inside_a_folder(engine, tmp_path):
    archive = tmp_path / "bundle.zip"
    files = base(**{"documents.csv": docs(["C1", "refund", "R-1", "2024-01-10", "-5", "processed", "", 1, "", "Q", ""])})
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(f"export-2024-01/{name}", text)
        zf.writestr("export-2024-01/README.txt", "hello")
    s = ingest.import_bundle(engine, archive, rejections_dir=tmp_path / "rej")
    assert s.status == "succeeded", s.error
    assert (s.read, s.loaded, s.rejected) == (5, 5, 0)
    assert s.ignored_files == ["README.txt"]
    assert "README.txt" in s.describe()
    assert rows(engine, "SELECT document_no, status FROM sync_document") == [("R-1", "processed")]
    assert daily(engine) == {("C1", "2024-01-10", "refunds", "processed", ""): 1}


def test_json_lines_files_load_with_the_same_keys(engine, tmp_path):
    lines = [
        {"center_code": "C1", "kind": "invoice", "document_no": "INV-1", "sync_date": "2024-01-10", "amount": 12.5,
         "status": "failed", "attempts": 2, "last_attempt_at": "2024-01-11T02:00:00",
         "response": json.loads(QBO_DUPLICATE)},   # a nested object is kept as its JSON text
        {"center_code": "C1", "kind": "payment", "document_no": "P-1", "sync_date": "2024-01-10", "amount": None,
         "status": "processed", "pending_reason": None, "external_ref": "QB-9", "extra": 1},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n\n"
    s = run(engine, tmp_path, base(**{"documents.jsonl": text}))
    assert s.status == "succeeded", s.error
    assert s.per_entity["documents"] == {"read": 2, "loaded": 2, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 0}
    assert any("extra" in n for n in s.notes)
    got = rows(engine, "SELECT document_no, amount, attempts, category, response_code, raw_response FROM sync_document "
                       "ORDER BY document_no")
    assert got[0][0] == "INV-1" and Decimal(str(got[0][1])) == Decimal("12.50")
    assert got[0][2:5] == (2, "duplicate", "6140") and json.loads(got[0][5]) == json.loads(QBO_DUPLICATE)
    assert got[1][:3] == ("P-1", None, 0)
    again = run(engine, tmp_path, base(**{"documents.jsonl": text}), name="again")
    assert again.per_entity["documents"]["unchanged"] == 2


def test_an_import_that_fails_midway_leaves_no_rows_and_is_recorded(engine, tmp_path, monkeypatch):
    def broken_refresh(*args, **kwargs):
        raise RuntimeError("rollup exploded")

    monkeypatch.setattr(rollup, "refresh", broken_refresh)
    files = base(**{"documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-01-10", "10", "processed", "", 1, "", "QB-1", ""],
        ["C9", "invoice", "INV-2", "2024-01-10", "10", "processed", "", 1, "", "QB-2", ""],
    )})
    s = run(engine, tmp_path, files)
    assert s.status == "failed"
    assert "rollup exploded" in s.error
    assert "failed, nothing was loaded" in s.describe()
    for table in ("zone", "center", "sync_document", "sync_daily", "import_center"):
        assert scalar(engine, f"SELECT COUNT(*) FROM {table}") == 0, table
    assert rows(engine, "SELECT status, error, rows_loaded, finished_at IS NOT NULL FROM import_run WHERE id = :i",
                i=s.run_id) == [("failed", "RuntimeError: rollup exploded", 0, True)]
    # the rejected row is still on record, in the table and the report
    assert rows(engine, "SELECT file_name, line_no, column_name FROM import_rejection WHERE import_run_id = :i",
                i=s.run_id) == [("documents.csv", 3, "center_code")]
    assert s.rejections_file is not None and s.rejections_file.exists()

    monkeypatch.undo()
    ok = run(engine, tmp_path, files, name="again")  # the same connection pool: no leftover staging tables
    assert ok.status == "succeeded", ok.error
    assert ok.loaded == 5 and ok.rejected == 1


def test_a_missing_bundle_is_a_failed_run_with_a_plain_reason(engine, tmp_path):
    s = ingest.import_bundle(engine, tmp_path / "nope", rejections_dir=tmp_path / "rej")
    assert s.status == "failed" and "does not exist" in s.error
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    s2 = ingest.import_bundle(engine, empty, rejections_dir=tmp_path / "rej")
    assert s2.status == "failed" and "no bundle files found" in s2.error
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(b"not a zip")
    s3 = ingest.import_bundle(engine, bad_zip, rejections_dir=tmp_path / "rej")
    assert s3.status == "failed" and "zip" in s3.error
    assert scalar(engine, "SELECT COUNT(*) FROM import_run WHERE status = 'failed'") == 3


def test_progress_bars_go_to_stderr(engine, tmp_path, capsys):
    s = run(engine, tmp_path, base(), progress=True)
    assert s.status == "succeeded", s.error
    err = capsys.readouterr().err
    assert "zones.csv" in err and "centers.csv" in err


def test_the_cli_imports_and_prints_the_summary(engine, tmp_path, monkeypatch, capsys):
    folder = write_bundle(tmp_path / "cli_bundle", base())
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli.main(["import", str(folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "read 4, loaded 4, updated 0, unchanged 0, superseded 0, rejected 0" in out


def test_rejection_report_names_the_run_and_lists_rows(engine, tmp_path):
    s = run(engine, tmp_path, base(**{"documents.csv": docs(
        ["C1", "invoice", "INV-1", "2024-01-10", "10", "done", "", 1, "", "", ""],
    )}))
    assert s.rejections_file.parent == tmp_path / "rejections"
    assert re.fullmatch(rf"import_{s.run_id}_[A-Za-z0-9_-]+-[0-9a-f]{{8}}_\d{{8}}T\d{{6}}Z_rejections\.csv",
                        s.rejections_file.name)
    with open(s.rejections_file, encoding="utf-8", newline="") as f:
        report = list(csv.reader(f))
    assert report[0] == ["file_name", "line_no", "column", "reason", "raw_row"]
    assert report[1][:3] == ["documents.csv", "2", "status"]
    assert report[1][4] == "C1,invoice,INV-1,2024-01-10,10,done,,1,,,"
    assert f"rejected rows and problems: {s.rejections_file}" in s.describe()


def test_imports_into_two_databases_never_share_a_rejection_file(engine, tmp_path):
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    schema.metadata.create_all(other)
    files = base(**{"documents.csv": docs(["C1", "invoice", "INV-1", "2024-01-10", "10", "done", "", 1, "", "", ""])})
    try:
        ours = run(engine, tmp_path, files)
        theirs = run(other, tmp_path, files, name="other")
    finally:
        other.dispose()
    assert ours.run_id == theirs.run_id == 1   # the same run id, both first imports of their database
    assert ours.rejections_file != theirs.rejections_file
    assert ours.rejections_file.exists() and theirs.rejections_file.exists()
    assert "other-" in theirs.rejections_file.name


def doc_example() -> tuple[dict[str, str], list[str]]:
    """The tiny bundle and the JSON Lines rows given in docs/DATA_FORMAT.md."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "DATA_FORMAT.md").read_text(encoding="utf-8")
    files, jsonl, name, block, kind = {}, [], None, None, ""
    for line in text.splitlines():
        if block is not None:
            if line.startswith("```"):
                if name:
                    files[name] = "\n".join(block) + "\n"
                elif kind == "json":
                    jsonl.extend(block)
                block, name = None, None
            else:
                block.append(line)
        elif line.startswith("`tiny/") and line.endswith("`"):
            name = line.strip("`").split("/", 1)[1]
        elif line.startswith("```"):
            kind, block = line[3:], []
    return files, jsonl


def test_the_example_bundle_in_the_format_document_imports_as_described(engine, tmp_path):
    files, jsonl = doc_example()
    assert list(files) == ["zones.csv", "centers.csv", "sync_configs.csv", "documents.csv"]
    s = run(engine, tmp_path, files)
    assert s.describe().splitlines()[0] == "read 11, loaded 11, updated 0, unchanged 0, superseded 0, rejected 0"
    got = daily(engine)
    assert got[("C1", "2024-02-28", "invoices", "processed", "")] == 1
    assert got[("C1", "2024-02-28", "invoices", "failed", "duplicate")] == 1
    assert got[("C1", "2024-03-01", "invoices", "pending", "")] == 1
    assert got[("C1", "2024-03-01", "misc_journals", "failed", "mapping_missing")] == 1
    # the JSON Lines rows are the same documents: importing them changes nothing
    again = run(engine, tmp_path, {"documents.jsonl": "\n".join(jsonl) + "\n"}, name="jsonl")
    assert again.per_entity["documents"] == {"read": 2, "loaded": 0, "updated": 0, "unchanged": 2, "superseded": 0, "rejected": 0}


# --- large imports in small pieces: blocks, batches and (PostgreSQL) documents inserted chunk by chunk ------------

def small_pieces(monkeypatch) -> None:
    """Blocks, batches and chunks of a few rows, so that a small bundle goes through every boundary."""
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 300)
    monkeypatch.setattr(ingest, "BATCH_ROWS", 4)
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 7)


def ledger(n: int, status: str = "processed", attempt: str = "2024-01-11T02:00:00", offset: int = 0) -> list[list]:
    """n documents over both centers and a month of sync dates."""
    return [[f"C{1 + i % 2}", "invoice", f"INV-{i}", f"2024-01-{1 + (i + offset) % 28:02d}", f"{i}.25", status, "",
             1, attempt, "" if status == "failed" else f"QB-{i}", QBO_DUPLICATE if status == "failed" else ""]
            for i in range(n)]


def rollup_tables(engine) -> dict[str, list[tuple]]:
    snap = snapshot(engine)
    return {t: snap[t] for t in ("sync_daily", "sync_monthly", "sync_center_day")}


def test_documents_loaded_in_many_chunks_reconcile_and_their_rollup_is_a_full_recount(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    first = run(engine, tmp_path, base(**{"documents.csv": docs(*ledger(40))}))
    assert first.status == "succeeded", first.error
    assert first.per_entity["documents"] == {"read": 40, "loaded": 40, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 0}
    # every fourth row stored already (half of them unchanged, half newer with another status and date), the rest
    # new: each chunk mixes keys it inserts with keys it leaves for the end
    old, changed = ledger(40), ledger(40, status="failed", attempt="2024-02-01T02:00:00", offset=3)
    rows_2 = [(old[i] if i % 8 == 3 else changed[i]) if i % 4 == 3 else [*old[i][:2], f"NEW-{i}", *old[i][3:]]
              for i in range(40)]
    second = run(engine, tmp_path, base(**{"documents.csv": docs(*rows_2)}), name="second")
    assert second.status == "succeeded", second.error
    assert second.per_entity["documents"] == {"read": 40, "loaded": 30, "updated": 5, "unchanged": 5, "superseded": 0, "rejected": 0}
    assert scalar(engine, "SELECT COUNT(*) FROM sync_document") == 70
    assert scalar(engine, "SELECT COUNT(*) FROM sync_document WHERE status = 'failed' AND category = 'duplicate' "
                          "AND import_run_id = :r", r=second.run_id) == 5
    assert sorted(r[0] for r in rows(engine, "SELECT document_no FROM sync_document WHERE import_run_id = :r",
                                     r=second.run_id)) == sorted([f"INV-{i}" for i in range(7, 40, 8)] +
                                                                 [f"NEW-{i}" for i in range(40) if i % 4 != 3])
    counted = rollup_tables(engine)
    with engine.begin() as conn:
        rollup.refresh_all(conn)
    assert rollup_tables(engine) == counted
    assert sum(n for n in daily(engine).values()) == 70


def test_reimporting_a_bundle_of_many_chunks_changes_nothing(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    files = base(**{"documents.csv": docs(*ledger(30)), "sync_configs.csv":
                    "center_code,effective_from,sync_type\nC1,2024-01-01,invoice_wise\nC2,2024-01-15,day_wise\n"})
    assert run(engine, tmp_path, files).status == "succeeded"
    before = snapshot(engine)
    again = run(engine, tmp_path, files, name="again")
    assert again.status == "succeeded", again.error
    assert again.loaded == again.updated == again.rejected == 0 and again.unchanged == again.read == 36
    assert snapshot(engine) == before


def test_text_a_copy_would_read_specially_is_stored_exactly(engine, tmp_path):
    odd = "tab\there, back\\slash \\N, new\nline, return\r, and \\t as text"
    jsonl = json.dumps({"center_code": "C1", "kind": "invoice", "document_no": "ODD\\1", "sync_date": "2024-01-10",
                        "status": "failed", "response": odd}) + "\n"
    s = run(engine, tmp_path, base(**{"documents.jsonl": jsonl}))
    assert s.status == "succeeded" and s.rejected == 0, s.error
    assert rows(engine, "SELECT document_no, raw_response FROM sync_document") == [("ODD\\1", odd)]


# --- runs whose importer died ------------------------------------------------------------------------------------

INTERRUPTED = ("the import stopped without finishing (its process was killed or lost its database connection); "
               "nothing of it was loaded")


def add_running_run(conn) -> int:
    return int(conn.execute(sa.text("INSERT INTO import_run (source, started_at, status) "
                                    "VALUES ('a killed import', :t, 'running') RETURNING id"),
                            {"t": datetime(2024, 1, 1)}).scalar_one())


def test_a_run_left_running_by_a_killed_importer_is_marked_interrupted_by_the_next_import(engine, tmp_path):
    with engine.begin() as conn:
        stale = add_running_run(conn)
    s = run(engine, tmp_path, base())
    assert s.status == "succeeded", s.error
    assert rows(engine, "SELECT status, error FROM import_run WHERE id = :i", i=stale) == [("interrupted", INTERRUPTED)]
    assert rows(engine, "SELECT status FROM import_run WHERE id = :i", i=s.run_id) == [("succeeded",)]


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_run_whose_importer_is_alive_stays_running(engine, tmp_path):
    with engine.connect() as alive:   # another importer: its session holds the run's lock, as _start_run does
        with alive.begin():
            live = add_running_run(alive)
            sql.execute(alive, "ingest_run_hold", run_id=live)
        with engine.begin() as conn:
            dead = add_running_run(conn)
        s = run(engine, tmp_path, base())
        assert s.status == "succeeded", s.error
        assert rows(engine, "SELECT id, status FROM import_run WHERE id IN (:a, :b) ORDER BY id", a=live, b=dead) == [
            (live, "running"), (dead, "interrupted")]
        with alive.begin():
            sql.execute(alive, "ingest_run_release", run_id=live)
    assert run(engine, tmp_path, base(), name="later").status == "succeeded"   # its lock gone: now it is marked
    assert rows(engine, "SELECT status FROM import_run WHERE id = :i", i=live) == [("interrupted",)]


# --- a first large load on PostgreSQL: indexes and foreign keys built after the rows --------------------------

CATALOG = """
SELECT t.relname, 'index', pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'
UNION ALL
SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'
ORDER BY 1, 2, 3
"""


def ddl_seen(engine) -> tuple[list[str], object]:
    """Record the DROP/CREATE INDEX and ALTER TABLE statements the engine runs from now on; returns the list and
    the listener (to remove)."""
    seen: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("DROP INDEX", "CREATE INDEX", "ALTER TABLE")):
            seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", spy)
    return seen, spy


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_first_large_load_builds_indexes_and_foreign_keys_after_the_rows(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    monkeypatch.setattr(ingest, "BULK_LOAD_BYTES", 1)   # every file counts as large
    catalog = rows(engine, CATALOG)
    rows_ = ledger(30)
    repeat = list(rows_[3])
    repeat[4] = "999.99"
    rows_.insert(25, repeat)   # a later chunk repeats a key an earlier chunk inserted, with another amount
    seen, spy = ddl_seen(engine)
    try:
        first = run(engine, tmp_path, base(**{"documents.csv": docs(*rows_)}))
        took_bulk_path = list(seen)
        kept = rows(engine, "SELECT amount FROM sync_document WHERE document_no = 'INV-3'")
        stored = scalar(engine, "SELECT COUNT(*) FROM sync_document")
        seen.clear()
        second = run(engine, tmp_path, base(**{"documents.csv": docs(*ledger(30, status="failed",
                                                                               attempt="2024-02-01T02:00:00"))}),
                     name="second")
    finally:
        sa.event.remove(engine, "before_cursor_execute", spy)
    assert first.status == "succeeded", first.error
    assert first.per_entity["documents"] == {"read": 31, "loaded": 30, "updated": 0, "unchanged": 0,
                                             "superseded": 1, "rejected": 0}
    assert rows(engine, "SELECT line_no, reason FROM import_rejection WHERE import_run_id = :r", r=first.run_id) == []
    # the repeat has the same last_attempt_at: the later line wins, and only one row has that key
    assert kept == [(Decimal("999.99"),)]
    assert stored == 30
    # the unique key was built after the rows: a first attempt failed on the repeat, the second held
    assert any("DROP CONSTRAINT" in s and "uq_sync_document" in s for s in took_bulk_path)
    assert sum("ADD CONSTRAINT" in s and "uq_sync_document" in s for s in took_bulk_path) == 2
    # the ledger's report and document-number indexes and its foreign key went away for the load and came back
    assert any(s.startswith("DROP INDEX") and "ix_sync_document_report" in s for s in took_bulk_path)
    assert any(s.startswith("CREATE INDEX ix_sync_document_report") for s in took_bulk_path)
    assert any("ADD CONSTRAINT" in s and "sync_document_center_id_fkey" in s for s in took_bulk_path)
    # so did its primary key, which no other table refers to
    assert any("DROP CONSTRAINT" in s and "sync_document_pkey" in s for s in took_bulk_path)
    assert any("ADD CONSTRAINT" in s and "sync_document_pkey" in s for s in took_bulk_path)
    assert rows(engine, CATALOG) == catalog, "the schema after a bulk load differs from before it"
    # the ledger's rollups were counted the same way on the first load (built after their rows too)
    assert any(s.startswith("CREATE INDEX ix_sync_daily_date") for s in took_bulk_path)
    # a second import finds the ledger filled: row by row, no index of the ledger or of its rollups dropped
    assert second.status == "succeeded", second.error
    assert second.per_entity["documents"]["updated"] == 30
    assert seen == []


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_primary_key_another_table_refers_to_is_never_dropped_for_a_load(engine):
    with engine.connect() as conn:
        kinds = {table: {what for what, _, _ in sql.execute(conn, "ingest_deferrable_ddl", table_name=table)}
                 for table in ("center", "sync_document")}
    assert "primary key" not in kinds["center"]          # every center-scoped table refers to center.id
    assert {"primary key", "unique key", "foreign key", "index"} <= kinds["sync_document"]


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_bulk_load_without_repeated_keys_builds_the_unique_key_once(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    monkeypatch.setattr(ingest, "BULK_LOAD_BYTES", 1)
    seen, spy = ddl_seen(engine)
    try:
        s = run(engine, tmp_path, base(**{"documents.csv": docs(*ledger(20))}))
    finally:
        sa.event.remove(engine, "before_cursor_execute", spy)
    assert s.status == "succeeded", s.error
    assert s.per_entity["documents"] == {"read": 20, "loaded": 20, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 0}
    assert sum("ADD CONSTRAINT" in x and "uq_sync_document" in x for x in seen) == 1
    assert scalar(engine, "SELECT COUNT(DISTINCT (center_id, kind, document_no)) FROM sync_document") == 20
    counted = rollup_tables(engine)
    with engine.begin() as conn:
        rollup.refresh_all(conn)
    assert rollup_tables(engine) == counted


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_failed_bulk_load_leaves_the_schema_as_it_was(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "BULK_LOAD_BYTES", 1)
    catalog = rows(engine, CATALOG)

    def broken(ctx, summary):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(ingest, "_refresh_rollups", broken)
    s = run(engine, tmp_path, base(**{"documents.csv": docs(*ledger(10))}))
    assert s.status == "failed" and "the disk is full" in (s.error or "")
    assert rows(engine, CATALOG) == catalog
    assert scalar(engine, "SELECT COUNT(*) FROM sync_document") == 0


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_only_empty_tables_the_importer_owns_are_bulk_loaded_and_they_are_locked_first(engine, monkeypatch):
    monkeypatch.setattr(ingest, "BULK_LOAD_BYTES", 100)
    members = [ingest._Member("documents.csv", "documents", "csv", lambda: io.BytesIO(b""), 100),
               ingest._Member("payments.csv", "payments", "csv", lambda: io.BytesIO(b""), 99)]
    role = f"syncstatus_test_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:
        ctx = ingest._Context(conn, 0)
        try:
            ingest._plan_bulk_loads(ctx, members)
            # the ledger (large enough) and its rollups; payments.csv is under the threshold
            assert ctx.bulk_tables == {"sync_document", *ingest.ROLLUP_TABLES}
            locks = conn.execute(sa.text(
                "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = pg_backend_pid() AND l.mode = 'AccessExclusiveLock'")).scalars().all()
            assert set(locks) >= ctx.bulk_tables
            conn.rollback()
            # a role that may write rows but does not own the tables: row by row
            conn.execute(sa.text(f'CREATE ROLE "{role}" NOLOGIN'))   # a name this test generated; rolled back
            conn.execute(sa.text(f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{role}"'))
            conn.execute(sa.text(f'SET LOCAL ROLE "{role}"'))
            ingest._plan_bulk_loads(ctx, members)
            assert ctx.bulk_tables == set()
        finally:
            ctx.writer.close(failed=True)
            conn.rollback()
    # a ledger with rows is never bulk loaded
    with engine.begin() as conn:
        cid = conn.execute(sa.text("INSERT INTO zone (code, name) VALUES ('Z', 'Z') RETURNING id")).scalar()
        cid = conn.execute(sa.text("INSERT INTO center (code, name, zone_id, platform) VALUES ('C', 'C', :z, 'qbo') "
                                   "RETURNING id"), {"z": cid}).scalar()
        conn.execute(sa.text("INSERT INTO sync_document (center_id, kind, document_no, sync_date, status) "
                             "VALUES (:c, 'invoice', 'I-1', '2024-01-01', 'processed')"), {"c": cid})
    with engine.connect() as conn:
        ctx = ingest._Context(conn, 0)
        try:
            ingest._plan_bulk_loads(ctx, members)
            assert ctx.bulk_tables == set()
        finally:
            ctx.writer.close(failed=True)
            conn.rollback()


def contents(engine) -> dict[str, list[tuple]]:
    """The rows of every table an import writes (the entities' tables and the rollups), without surrogate ids,
    in a stable order. (Users, scopes and settings are left out: other tests add them to the shared demo
    database.)"""
    from syncstatus import bundle

    written = {e.table for e in bundle.ENTITIES.values()} | set(ingest.ROLLUP_TABLES)
    out = {}
    with engine.connect() as conn:
        for t in schema.metadata.sorted_tables:
            if t.name not in written:
                continue
            cols = [c for c in t.c if c.name not in ("id", "import_run_id")]
            out[t.name] = sorted((tuple(r) for r in conn.execute(sa.select(*cols))), key=repr)
    return out


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_bulk_load_stores_exactly_what_a_row_by_row_load_stores(engine, demo_bundle, demo_pg_engine, monkeypatch,
                                                                 tmp_path):
    monkeypatch.setattr(ingest, "BULK_LOAD_BYTES", 1)   # every table of the demo bundle is loaded in bulk
    seen, spy = ddl_seen(engine)
    try:
        s = ingest.import_bundle(engine, demo_bundle, rejections_dir=tmp_path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", spy)
    assert s.status == "succeeded", s.error
    for table in ("sale_order_line", "payment", "misc_journal", "sync_document"):   # the plain-insert path ran
        assert any("DROP CONSTRAINT" in x and f"uq_{table}" in x for x in seen), table
    ours = contents(engine)
    assert len(ours) >= 15 and sum(map(len, ours.values())) > 10_000   # the comparison has something to compare
    assert ours == contents(demo_pg_engine)


def test_ordinals_give_each_row_of_a_copy_its_place_in_the_bundle():
    o = ingest._Ordinals()
    o.add([10, 11, 12])          # one run
    o.add([13, 14, 16, 17, 20])  # continues the run, then two gaps (rejected or multi-line records)
    o.add([(1 << 32) | 2])       # the entity's second file
    assert o.count == 9
    assert [o.src(i) for i in range(9)] == [10, 11, 12, 13, 14, 16, 17, 20, (1 << 32) | 2]
    assert len(o.starts) == 4    # runs, not rows
    with pytest.raises(IndexError):
        o.src(9)


def bulk_and_row_by_row_bundle() -> dict[str, str]:
    """Payments and documents with what a bulk load must reject and supersede as the row-by-row load does: bad values,
    keys repeated within a file, across batches and across files, at earlier, later and equal times (with offsets),
    around records that span two lines."""
    pay_header = "center_code,payment_no,invoice_no,payment_type,account_code,amount,paid_on\n"
    payments = [["C1", f"P-{i}", f"INV-{i}", "Cash" if i != 4 else "Gift\ncard", "1200", f"{i}.50", "2024-01-10"]
                for i in range(12)]
    payments[6][5] = "12,5x"                             # a bad amount
    payments.insert(9, ["C1", "P-2", "INV-9", "Cash", "1200", "99.00", "2024-01-11"])   # repeats line 4's key
    documents = ledger(24)
    documents[2][10] = "line one\nline two"              # a response spanning two lines
    documents[7][3] = "2024-02-30"                       # not a calendar day
    repeats = [list(documents[i]) for i in (5, 10, 12, 14)]   # all at 2024-01-11T02:00:00 (UTC) so far
    repeats[0][4] = "999.99"                                     # the same time: the later line wins
    repeats[1][5:9] = ["failed", "", 7, "2024-01-11T02:30:00+01:00"]   # 01:30 UTC: older, loses, gives its attempts
    repeats[2][5:9] = ["failed", "", 3, "2024-01-11T01:30:00-01:00"]   # 02:30 UTC: newer, wins
    repeats[3][4], repeats[3][8] = "1.00", "2024-01-11 03:00:00+01:00"  # 02:00 UTC: the same time, later line wins
    for at, row in zip((20, 21, 6, 23), repeats, strict=True):      # INV-12's repeat comes before its first row
        documents.insert(at, row)
    jsonl = json.dumps({"center_code": "C2", "kind": "invoice", "document_no": "INV-1", "sync_date": "2024-01-05",
                        "status": "processed"}) + "\n"   # repeats a key of documents.csv, without a time: older
    return base(**{"payments.csv": csv_text(pay_header, payments), "documents.csv": docs(*documents),
                   "documents.jsonl": jsonl})


def bulk_and_row_by_row(engine, tmp_path, monkeypatch, files: dict[str, str | bytes],
                        entities: tuple[str, ...], retry_blocks: int = 0) -> tuple[dict[str, tuple], list[tuple]]:
    """Import the same bundle as a bulk load and row by row, into empty tables each time. Returns, per path, the
    entities' counts, the rejections (file, line, column, reason, raw row) and every written table's contents; and
    what _CleanLines.scan made of each block on the bulk path: (lines, lines for the usual checks). By default
    every block tries the clean-line path (no block is skipped after one where it did not pay)."""
    from syncstatus import bundle

    monkeypatch.setattr(ingest, "CLEAN_RETRY_BLOCKS", retry_blocks)

    written = sorted({e.table for e in bundle.ENTITIES.values()} | set(ingest.ROLLUP_TABLES))
    scans: list[tuple] = []
    scan = ingest._CleanLines.scan

    def counted(self, data, start):
        out = scan(self, data, start)
        scans.append(None if out is None else (len(out.lines), len(out.others)))
        return out

    monkeypatch.setattr(ingest._CleanLines, "scan", counted)
    outcome = {}
    for path, threshold in (("bulk", 1), ("row by row", 1 << 40)):
        monkeypatch.setattr(ingest, "BULK_LOAD_BYTES", threshold)
        seen, spy = ddl_seen(engine)
        try:
            s = run(engine, tmp_path, files, name=path.replace(" ", "_"))
        finally:
            sa.event.remove(engine, "before_cursor_execute", spy)
        assert s.status == "succeeded", s.error
        assert any("ADD CONSTRAINT" in x and "uq_sync_document" in x for x in seen) == (path == "bulk")
        outcome[path] = (
            {e: s.per_entity[e] for e in entities},
            rows(engine, "SELECT file_name, line_no, column_name, reason, raw_row FROM import_rejection "
                         "WHERE import_run_id = :r ORDER BY file_name, line_no", r=s.run_id),
            contents(engine))
        with engine.begin() as conn:   # empty again for the other path (our own table names)
            conn.execute(sa.text(f"TRUNCATE {', '.join(written)} RESTART IDENTITY CASCADE"))
    return outcome, scans


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_bulk_load_rejects_and_keeps_what_a_row_by_row_load_does(engine, tmp_path, monkeypatch):
    small_pieces(monkeypatch)
    outcome, scans = bulk_and_row_by_row(engine, tmp_path, monkeypatch, bulk_and_row_by_row_bundle(),
                                         ("payments", "documents"))
    bulk, plain = outcome["bulk"], outcome["row by row"]
    assert bulk[0] == plain[0] == {
        "payments": {"read": 13, "loaded": 11, "updated": 0, "unchanged": 0, "superseded": 1, "rejected": 1},
        "documents": {"read": 29, "loaded": 23, "updated": 0, "unchanged": 0, "superseded": 5, "rejected": 1}}
    assert [reason for *_, reason, _ in bulk[1]] == [
        "sync_date '2024-02-30' is not a valid date: use YYYY-MM-DD, e.g. 2024-03-31",
        "amount '12,5x' is not a number: use digits and a dot for decimals, e.g. 1234.50"]
    assert bulk[1] == plain[1]
    assert bulk[2] == plain[2]
    # payments: the later line of a repeated key wins
    assert [r[1:3] for r in bulk[2]["payment"] if r[1] == "P-2"] == [("P-2", "INV-9")]
    # documents: the newest last_attempt_at in UTC, the later line on equal times, the key's largest attempts
    got = {r[2]: (r[4], r[5], r[7], r[8]) for r in bulk[2]["sync_document"]}
    at = datetime(2024, 1, 11, 2, 0)
    assert got["INV-5"] == (Decimal("999.99"), "processed", 1, at)
    assert got["INV-10"] == (Decimal("10.25"), "processed", 7, at)
    assert got["INV-12"] == (Decimal("12.25"), "failed", 3, datetime(2024, 1, 11, 2, 30))
    assert got["INV-14"] == (Decimal("1.00"), "processed", 1, at)
    assert got["INV-1"] == (Decimal("1.25"), "processed", 1, at)
    # blocks went both ways: split into clean lines, and whole to the usual readers (the record spanning two lines)
    assert None in scans and any(s and s[0] > s[1] for s in scans)


def clean_lines_bundle(order: list[str], line_end: str) -> dict[str, str]:
    """A ledger, orders and payments whose lines the clean-line path takes and leaves in every way: clean lines
    of both centers, a center the bundle does not know, quoted values, blanks around a value, an empty attempts,
    failed and pending documents, a processed one whose response has to be read, bad values, a short line."""
    documents = ledger(30)
    documents[3][0] = "C9"                                # an unknown center, within clean lines
    documents[4][0] = "C9"
    documents[6][2] = " INV-6"                            # a blank to strip
    documents[7][7] = ""                                  # attempts empty: 0
    documents[8][5], documents[8][10] = "failed", QBO_DUPLICATE
    documents[9][5], documents[9][6] = "pending", "awaiting_schedule"
    documents[10][9], documents[10][10] = "", json.dumps({"Invoice": {"Id": "77"}})   # no external_ref: parsed
    documents[11][4] = "12.5"                             # converted: 12.50
    documents[12][4] = "abc"                              # rejected
    documents[13][3] = "2023-02-29"                       # not a calendar day
    documents[14][1] = "INVOICE"                          # an allowed value in capitals
    documents[15][2] = "X" * 61                           # too long
    documents[16][9] = "QB,16"                            # quoted: has a comma
    documents[17][8] = "2024-01-11T02:00:00+02:00"        # converted to UTC
    documents[18] = documents[18][:5]                     # a short line
    documents[19][4] = "-0.00"
    header = {name: i for i, name in enumerate(DOC_HEADER.strip().split(","))}
    rows_ = [[r[header[n]] for n in order] if len(r) == len(header) else r for r in documents]
    text = csv_text(",".join(order), rows_).replace("\n", line_end)
    orders = [["C1" if i % 5 else "C9", f"SO-{i}", "Ann" if i != 3 else '"Bo"', f"2024-01-{1 + i:02d}",
               f"{i}.50" if i != 4 else "1e3", "" if i % 2 else f"INV-{i}"] for i in range(12)]
    payments = [["C2", f"P-{i}", f"SO-{i}", "Cash", "" if i % 3 else "1200", f"{i}.00",
                 "2024-01-10" if i != 5 else "2024-1-10"] for i in range(12)]
    return base(**{
        "documents.csv": text,
        "sale_orders.csv": csv_text("center_code,invoice_no,guest,sale_date,amount,summary_invoice_no", orders),
        "payments.csv": csv_text("center_code,payment_no,invoice_no,payment_type,account_code,amount,paid_on",
                                 payments).replace("\n", line_end)})


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.parametrize(("order", "line_end"), [
    (DOC_HEADER.strip().split(","), "\n"),
    (DOC_HEADER.strip().split(","), "\r\n"),
    (["center_code", "response", "external_ref", "kind", "document_no", "sync_date", "amount", "status",
      "pending_reason", "attempts", "last_attempt_at"], "\n"),
], ids=["usual-order", "crlf", "other-order"])
def test_clean_lines_of_a_bulk_load_store_what_a_row_by_row_load_stores(engine, tmp_path, monkeypatch, order,
                                                                         line_end):
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 400)   # several blocks per file
    outcome, scans = bulk_and_row_by_row(engine, tmp_path, monkeypatch, clean_lines_bundle(order, line_end),
                                         ("sale_orders", "payments", "documents"))
    bulk, plain = outcome["bulk"], outcome["row by row"]
    assert bulk[0] == plain[0]
    assert plain[0]["documents"] == {"read": 30, "loaded": 24, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 6}
    assert bulk[1] == plain[1]
    assert bulk[2] == plain[2]
    # the clean-line path took most lines and left the others to the usual checks, in their places; only the block
    # with the short line went whole to the usual readers
    split = [s for s in scans if s is not None]
    assert scans.count(None) == 1
    assert 30 + 12 + 12 - 12 < sum(s[0] for s in split) < 30 + 12 + 12
    assert 0 < sum(s[1] for s in split) < sum(s[0] for s in split) / 2


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_blocks_after_one_of_mostly_other_lines_are_read_the_usual_way_for_a_while(engine, tmp_path, monkeypatch):
    documents = ledger(40)
    for row in documents[:6]:            # the first block: mostly lines the usual checks must see (quoted values)
        row[9] = f"QB,{row[2]}"
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 500)   # about 6 lines a block
    outcome, scans = bulk_and_row_by_row(engine, tmp_path, monkeypatch, base(**{"documents.csv": docs(*documents)}),
                                         ("documents",), retry_blocks=2)
    bulk, plain = outcome["bulk"], outcome["row by row"]
    assert bulk == plain
    assert bulk[0]["documents"] == {"read": 40, "loaded": 40, "updated": 0, "unchanged": 0, "superseded": 0, "rejected": 0}
    # the first block was split and did not pay; the next two went the usual way, unscanned; then clean lines again
    first, *rest = scans
    assert first is not None and 2 * first[1] > first[0]
    assert rest and all(s is not None and s[1] == 0 for s in rest)
    assert first[0] + sum(s[0] for s in rest) < 40   # some lines were read without a scan


def test_a_processed_document_without_external_ref_takes_it_from_its_response(engine, tmp_path):
    synced = json.dumps({"Invoice": {"Id": "145", "DocNumber": "INV-9"}, "time": "2024-01-11T02:00:00"})
    rows_ = [
        ["C1", "invoice", "INV-9", "2024-01-10", "10", "processed", "", 1, "2024-01-11T02:00:00", "", synced],
        ["C1", "invoice", "INV-8", "2024-01-10", "10", "processed", "", 1, "2024-01-11T02:00:00", "QB-8", synced],
        ["C1", "invoice", "INV-7", "2024-01-10", "10", "processed", "", 1, "2024-01-11T02:00:00", "QB-7", ""],
        ["C1", "invoice", "INV-6", "2024-01-10", "10", "failed", "", 1, "2024-01-11T02:00:00", "", QBO_DUPLICATE],
    ]
    s = run(engine, tmp_path, base(**{"documents.csv": docs(*rows_)}))
    assert s.status == "succeeded", s.error
    got = rows(engine, "SELECT document_no, external_ref, category FROM sync_document ORDER BY document_no")
    # the response names the platform's id when the bundle does not; a given external_ref is kept as it is
    assert got == [("INV-6", None, "duplicate"), ("INV-7", "QB-7", None), ("INV-8", "QB-8", None),
                   ("INV-9", "145", "success")]
