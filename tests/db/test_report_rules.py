"""Issue 18, items 2, 3, 4, 6, 7 and 8: report rules on a bundle written by hand, on SQLite and PostgreSQL.

- C1 Alpha: Invoice Wise from 03-05 only; documents from 03-01 (dates before its first configuration).
- C2 Bravo: documents, but no sync configuration and no sync job at all.
- C3 Charlie: Day Wise; two summary invoices on 03-02 (SUM-A failed at 02:00, SUM-B processed at 09:00), one on
  03-03; account 4010 deleted in the platform, referenced by a failed invoice's line and by a payment not sent yet.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from syncstatus import exports, ingest, mail, operations
from syncstatus.reports import documents, sync_status, trends
from syncstatus.reports.filters import ReportFilters, center_directory
from syncstatus.ui import tables

MARCH = ReportFilters(date(2024, 3, 1), date(2024, 3, 31))
NOW = datetime(2024, 4, 1, 0, 24)

FILES = {
    "zones.csv": "zone_code,zone_name\nZ1,North\nZ2,South\n",
    "centers.csv": ("center_code,center_name,zone_code,platform\nC1,Alpha,Z1,qbo\nC2,Bravo,Z1,qbo\n"
                    "C3,Charlie,Z2,qbo\n"),
    "sync_configs.csv": "center_code,effective_from,sync_type\nC1,2024-03-05,invoice_wise\nC3,2024-01-01,day_wise\n",
    "sync_jobs.csv": ("center_code,job,enabled,schedule\nC1,post_sale,true,daily 02:00\nC3,post_sale,true,daily 02:00\n"
                      "C3,maintenance,true,daily 08:15\n"),
    "job_runs.csv": ("center_code,job,started_at,finished_at,status,processed,failed,message\n"
                     "C3,maintenance,2024-03-31T08:15:00Z,2024-03-31T08:16:00Z,succeeded,3,0,\n"
                     "C3,maintenance,2024-04-01T08:15:00Z,2024-04-01T08:16:00Z,failed,0,0,HTTP 503\n"),
    "accounts.csv": ("center_code,account_code,account_name,account_type,active,deleted_in_platform_at\n"
                     "C3,4000,Sales,income,true,\nC3,4010,Old Sales,income,false,2024-02-20T09:00:00Z\n"),
    "sale_orders.csv": ("center_code,invoice_no,sale_date,amount,summary_invoice_no\n"
                        "C3,INV-30,2024-03-03,10.00,SUM-C\n"),
    "sale_order_lines.csv": ("center_code,invoice_no,line_no,item_code,account_code,qty,amount\n"
                             "C3,INV-30,1,SVC1,4010,1,10.00\n"),
    "payments.csv": ("center_code,payment_no,invoice_no,payment_type,account_code,amount,paid_on\n"
                     "C3,P-9,INV-30,cash,4010,10.00,2024-03-03\n"),
    "documents.csv": (
        "center_code,kind,document_no,sync_date,amount,status,pending_reason,attempts,last_attempt_at,external_ref,"
        "response\n"
        "C1,invoice,A-1,2024-03-01,1.00,processed,,1,2024-03-01T10:00:00Z,X1,\n"
        "C1,invoice,A-2,2024-03-02,1.00,failed,,1,2024-03-02T10:00:00Z,,boom\n"
        "C1,invoice,A-3,2024-03-06,1.00,processed,,1,2024-03-06T10:00:00Z,X3,\n"
        "C1,misc_journal,AJ-1,2024-03-06,1.00,pending,awaiting_schedule,0,,,\n"
        "C2,invoice,B-1,2024-03-10,1.00,processed,,1,2024-03-10T10:00:00Z,X4,\n"
        "C2,invoice,B-2,2024-03-10,1.00,pending,awaiting_schedule,0,,,\n"
        "C2,summary_invoice,B-S1,2024-03-10,1.00,processed,,1,2024-03-10T11:00:00Z,X5,\n"
        "C3,summary_invoice,SUM-A,2024-03-02,1.00,failed,,1,2024-03-02T02:00:00Z,,boom\n"
        "C3,summary_invoice,SUM-B,2024-03-02,1.00,processed,,1,2024-03-02T09:00:00Z,X6,\n"
        "C3,summary_invoice,SUM-C,2024-03-03,1.00,failed,,1,2024-03-03T09:00:00Z,,boom\n"
        "C3,invoice,INV-30,2024-03-03,1.00,processed,,1,2024-03-03T09:00:00Z,X7,\n"
    ),
}


def write_bundle(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def book(engine, tmp_path):
    summary = ingest.import_bundle(engine, write_bundle(tmp_path / "b", FILES), rejections_dir=tmp_path / "rej")
    assert summary.status == "succeeded" and summary.rejected == 0, summary.error
    ids = tuple(int(x) for x in center_directory(engine, tuple(range(1, 10)))["center_id"])
    return engine, ids


def rows(report) -> pd.DataFrame:
    return report.body.set_index("Center Name")


# --- item 2: a center with documents but no configuration --------------------------------------------------------

def test_a_center_without_configuration_is_reported_with_its_counts_and_flagged(book):
    engine, ids = book
    report = sync_status.build(engine, ids, MARCH)
    body = rows(report)
    assert list(body.index) == ["Alpha", "Bravo", "Charlie"]
    assert report.totals["Center Name"] == "3 centers"
    # Bravo: no configuration, so Invoice Wise: its two invoices count, its summary invoice does not
    assert body.loc["Bravo", ["Total Invoices", "Processed Invoices", "Pending Invoices"]].tolist() == [2, 1, 1]
    assert body.loc["Bravo", "Response message"].startswith(sync_status.NO_CONFIG)
    # Alpha: 03-01 and 03-02 come before its first configuration (counted Invoice Wise, flagged)
    assert body.loc["Alpha", "Total Invoices"] == 3
    assert body.loc["Alpha", "Response message"].startswith(sync_status.NO_CONFIG)
    assert not body.loc["Charlie", "Response message"].startswith(sync_status.NO_CONFIG)
    marks = dict(zip(report.table["Center Name"], sync_status.row_marks(report.table), strict=True))
    assert marks["Bravo"] == "warning" and marks["Alpha"] == "failed"
    # after Alpha's first configuration nothing is flagged; the short-range statement says the same
    for f in (MARCH.with_(date_from=date(2024, 3, 5)), ReportFilters(date(2024, 3, 6), date(2024, 3, 6))):
        later = rows(sync_status.build(engine, ids, f))
        assert not later.loc["Alpha", "Response message"].startswith(sync_status.NO_CONFIG)
    short = rows(sync_status.build(engine, ids, ReportFilters(date(2024, 3, 8), date(2024, 3, 12))))
    assert short.loc["Bravo", "Response message"].startswith(sync_status.NO_CONFIG)


def test_the_flagged_center_shows_when_filtered_to_it_and_its_cells_equal_the_lists_behind_them(book):
    engine, ids = book
    f = MARCH.with_(centers=("C2",))
    report = sync_status.build(engine, ids, f)
    assert list(report.body["Center Name"]) == ["Bravo"]
    listed = documents.sale_orders(engine, ids, f.with_(status="counted"))
    assert len(listed.table) == report.totals["Total Invoices"] == 2
    # a zone user: the label counts the rows shown
    zone = sync_status.build(engine, ids, MARCH.with_(zones=("Z1",)))
    assert zone.totals["Center Name"] == f"{len(zone.body)} centers" == "2 centers"
    # Trends lists it too, and the directory says why
    t = trends.build(engine, ids, f, "day", "center", today=date(2024, 4, 1))
    assert trends.headline(t)["pending"] == 1 and list(t.directory["center_code"]) == ["C2"]
    d = center_directory(engine, ids).set_index("center_code")
    assert not d.loc["C2", "has_sync_job"] and d.loc["C2", "in_report"]


def test_operations_lists_dates_without_configuration_under_data_problems(book):
    engine, ids = book
    view = operations.build(engine, ids, MARCH, NOW, 2)
    problems = view.problems[view.problems["Problem"] == operations.PROBLEM_NAMES["no_config"]].set_index("Center")
    assert set(problems.index) == {"Alpha", "Bravo"}
    assert problems.loc["Alpha", "Dates"].startswith("2024-03-01 – 2024-03-02")
    assert problems.loc["Alpha", "How many"] == 2 and problems.loc["Bravo", "How many"] == 2
    link = view.problem_links[list(view.problems["Center"]).index("Bravo")]
    assert link.page == "sale_orders" and link.params["center"] == "C2"


# --- item 4: several summary invoices on one Day Wise day -------------------------------------------------------

def test_a_day_wise_day_with_two_summaries_counts_once_with_the_newest_status(book, tmp_path):
    engine, ids = book
    day = ReportFilters(date(2024, 3, 2), date(2024, 3, 2), centers=("C3",))
    charlie = rows(sync_status.build(engine, ids, day)).loc["Charlie"]
    assert charlie[["Total Invoices", "Processed Invoices", "Failed Invoices"]].tolist() == [1, 1, 0]
    listed = documents.sale_orders(engine, ids, day)
    assert list(listed.table["Invoice / summary invoice no"]) == ["SUM-B"]
    anomaly = listed.table.iloc[0]["Anomaly"]
    assert anomaly.startswith("⚠ 2 summary invoices on 2024-03-02") and "SUM-A" in anomaly
    assert documents.sale_orders(engine, ids, day.with_(status="failed")).table.empty
    assert "SUM-A" not in set(documents.failed_documents(engine, ids, day)["Number"])
    view = operations.build(engine, ids, MARCH, NOW, 2)
    several = view.problems[view.problems["Problem"] == operations.PROBLEM_NAMES["several_summaries"]]
    assert list(several["Center"]) == ["Charlie"] and several.iloc[0]["Dates"].startswith("2024-03-02: 2 summary")
    # SUM-A retried later and failed again: now it is the newest, and the day reads failed
    retry = {"documents.csv": FILES["documents.csv"].split("\n")[0] + "\n"
             "C3,summary_invoice,SUM-A,2024-03-02,1.00,failed,,2,2024-03-02T12:00:00Z,,boom\n"}
    summary = ingest.import_bundle(engine, write_bundle(tmp_path / "retry", retry), rejections_dir=tmp_path / "rej")
    assert summary.updated == 1
    charlie = rows(sync_status.build(engine, ids, day)).loc["Charlie"]
    assert charlie[["Total Invoices", "Processed Invoices", "Failed Invoices"]].tolist() == [1, 0, 1]
    assert list(documents.sale_orders(engine, ids, day).table["Invoice / summary invoice no"]) == ["SUM-A"]


# --- item 3: deleted references on failed documents and not-sent payments ---------------------------------------

def test_failed_documents_and_not_sent_payments_with_a_deleted_account_are_flagged(book):
    engine, ids = book
    f = MARCH.with_(centers=("C3",))
    so = documents.sale_orders(engine, ids, f).table.set_index("Invoice / summary invoice no")
    assert "account 4010" in so.loc["SUM-C", "Deleted in platform"]            # failed: flagged, named
    assert so.loc["SUM-C", "Will fail"] == ""
    pay = documents.payments(engine, ids, f)
    row = pay.table.set_index("Payment no").loc["P-9"]
    assert row["Status"] == documents.NOT_SENT
    assert row["Will fail"].startswith("⚠ Will fail") and "account 4010" in row["Will fail"]
    assert pay.marks == ["deleted"]


# --- item 6: figures that count the same thing agree -------------------------------------------------------------

@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_trends_figures_say_what_they_count_and_agree_with_the_report(book, grain):
    engine, ids = book
    report = sync_status.build(engine, ids, MARCH)
    t = trends.build(engine, ids, MARCH, grain, "center", today=date(2024, 4, 1))
    head = trends.headline(t)
    assert head["failed"] == report.totals["Failed Invoices"] + report.totals["Failed Misc. Journals"] == 2
    assert head["pending"] == report.totals["Pending Invoices"] + report.totals["Pending Misc. Journals"]
    assert head["failed"] == int(t.causes["failed"].sum()) == int(t.breakdown["failed"].sum())
    assert head["failed"] == int(report.causes["Failed documents"].sum())
    by_cause = t.causes.groupby("category")["failed"].sum()
    for _, r in t.top_causes.iterrows():
        assert r["Failed documents"] == by_cause[r["category"]]
        assert r["Failed documents"] == int(report.causes.set_index("category").loc[r["category"],
                                                                                    "Failed documents"])
    # the labels say it
    assert "invoices & misc. journals" in trends.FIGURES["failed"][0].lower()
    assert "invoices and misc. journals" in trends.TOP_CAUSE_UNIT
    assert "every kind" in trends.DELETED_REFS_CAPTION and "payments" in trends.DELETED_REFS_CAPTION
    assert all(c.endswith("(all kinds)") for c in trends.deleted_table(t.deleted_refs).columns
               if c.endswith("documents") or "documents (" in c)


# --- item 7: a future-dated job run is suspect, never the last run ----------------------------------------------

def test_a_future_dated_run_is_flagged_and_never_shown_as_the_last_run(book):
    engine, ids = book
    view = operations.build(engine, ids, MARCH, NOW, 2)
    maint = view.jobs.set_index(["Center", "Job"]).loc[("Charlie", "Maintenance")]
    assert maint["Last run"] == "Succeeded"
    assert pd.Timestamp(maint["Last run started (UTC)"]) == pd.Timestamp("2024-03-31 08:15")
    assert "failed" not in " ".join(a.text for a in view.alerts if a.center_name == "Charlie").lower()
    future = view.problems[view.problems["Problem"] == operations.PROBLEM_NAMES["future_run"]]
    assert list(future["Center"]) == ["Charlie"] and "2024-04-01 08:15" in future.iloc[0]["Dates"]
    # once its time has come, it is the last run
    later = operations.build(engine, ids, MARCH, NOW + timedelta(hours=9), 2)
    assert later.jobs.set_index(["Center", "Job"]).loc[("Charlie", "Maintenance"), "Last run"] == "Failed"
    assert later.problems[later.problems["Problem"] == operations.PROBLEM_NAMES["future_run"]].empty


# --- item 8: a missing value reads "—" everywhere -----------------------------------------------------------------

def test_a_missing_last_attempt_reads_a_dash_on_the_page_in_exports_and_in_emails(book):
    engine, ids = book
    result = documents.sale_orders(engine, ids, MARCH.with_(centers=("C2",), status="pending"))
    table = result.table
    assert list(table["Invoice / summary invoice no"]) == ["B-2"] and pd.isna(table.iloc[0]["Last attempt"])
    html = tables.highlight_rows(table, result.marks).to_html()
    assert "NaT" not in html and "None" not in html and "nan" not in html and exports.MISSING in html
    text = exports.to_csv_bytes(table).decode("utf-8-sig")
    got = next(csv.DictReader(io.StringIO(text)))
    assert got["Last attempt"] == exports.MISSING
    ws = load_workbook(io.BytesIO(exports.to_xlsx_bytes(table))).active
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("Last attempt") + 1).value == exports.MISSING
    body = mail._html_table(table)
    assert "NaT" not in body and f">{exports.MISSING}<" in body
    assert documents.shown(pd.NaT) == documents.shown(None) == exports.MISSING


def test_an_emailed_report_never_shows_nat_or_nan(book):
    engine, ids = book
    rendered = mail.render_report(engine, "failed_documents", ids, MARCH)
    assert "NaT" not in rendered.html and "nan<" not in rendered.html
