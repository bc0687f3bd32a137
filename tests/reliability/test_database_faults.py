"""Database faults: PostgreSQL stops and comes back while the dashboard is open; an import is killed midway.

Runs on a PostgreSQL server the tests own (tests/reliability/conftest.py), never on the shared one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st

from bench import scale
from syncstatus import db as dbmod
from syncstatus import ingest
from syncstatus.schema import center, import_run, sync_daily, sync_document
from tests.app.conftest import open_page, texts
from tests.conftest import DEMO_END, ROOT
from tests.reliability.conftest import table_counts

RANGE = {"date_from": (DEMO_END - timedelta(days=30)).isoformat(), "date_to": DEMO_END.isoformat()}
UNREACHABLE = "The dashboard cannot reach its database"


@pytest.fixture(scope="module")
def owned_demo_url(owned_postgres, demo_bundle):
    """The demo data (and demo users) on the test-owned server."""
    url = owned_postgres.create_database("syncstatus_fault_demo")
    engine = dbmod.create_db_engine(url)
    dbmod.upgrade(engine)
    assert ingest.import_bundle(engine, demo_bundle).status == "succeeded"
    from syncstatus.access import create_demo_users

    create_demo_users(engine)
    engine.dispose()
    return url


@pytest.fixture
def dashboard_on_owned_pg(owned_demo_url, owned_postgres, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", owned_demo_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield owned_postgres
    if not owned_postgres.running():  # a failed test must not leave the server down for the next one
        owned_postgres.start()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("page, title", [
    ("sync_status", "Integrations Sync Status"),
    pytest.param("sale_orders", "Sale Orders", marks=pytest.mark.long),
    pytest.param("trends", "Trends", marks=pytest.mark.long),
])
def test_an_open_page_says_the_database_is_unreachable_and_recovers_by_itself_when_it_returns(
        dashboard_on_owned_pg, page, title):
    pg = dashboard_on_owned_pg
    at = open_page(page, params=RANGE)
    assert not at.exception and [t.value for t in at.title] == [title]
    assert len(at.dataframe) >= 1

    pg.stop()
    at.run()
    assert not at.exception, "a stopped database must not show a traceback"
    shown = texts(at)
    assert UNREACHABLE in shown
    assert f"cannot reach PostgreSQL at 127.0.0.1:{pg.port}/syncstatus_fault_demo" in shown
    assert [t.value for t in at.title] == []  # the page stops before drawing a half report
    assert len(at.dataframe) == 0

    at.run()  # still down: still the same clear message, no traceback
    assert not at.exception and UNREACHABLE in texts(at)

    pg.start()
    at.button(key="retry_database").click().run()
    assert not at.exception
    assert UNREACHABLE not in texts(at)
    assert [t.value for t in at.title] == [title]
    assert len(at.dataframe) >= 1


def test_the_report_after_a_restart_shows_the_same_figures_as_before(dashboard_on_owned_pg):
    pg = dashboard_on_owned_pg
    at = open_page("sync_status", params=RANGE)
    before = at.dataframe[0].value
    before = getattr(before, "data", before)
    pg.stop()
    pg.start()
    at.run()
    after = at.dataframe[0].value
    after = getattr(after, "data", after)
    assert not at.exception
    assert after.equals(before)


def test_a_database_cut_in_the_middle_of_a_page_shows_the_plain_message_without_sql_parameters_or_paths(
        dashboard_on_owned_pg, monkeypatch):
    pg = dashboard_on_owned_pg
    from syncstatus import sql

    real_execute = sql.execute
    cut = []

    def execute_after_a_cut(conn, name, **params):
        # The report's own statement, on a connection the page already holds: stop the server under it, so
        # the driver raises mid-page with the statement and its bound parameters attached to the error.
        if name.startswith("sync_status_report") and not cut:
            cut.append(name)
            pg.stop()
        return real_execute(conn, name, **params)

    monkeypatch.setattr(sql, "execute", execute_after_a_cut)
    with dbmod.create_db_engine(os.environ["DATABASE_URL"]).connect() as conn:
        first_center = conn.execute(sa.select(center.c.code).order_by(center.c.id)).scalar()
    at = open_page("sync_status", as_user=f"center.{first_center.lower()}", params=RANGE)
    assert cut, "the page never ran its report statement"
    assert not at.exception, "a database cut mid-page must not show a traceback"
    shown = texts(at)
    assert UNREACHABLE in shown
    assert f"cannot reach PostgreSQL at 127.0.0.1:{pg.port}/syncstatus_fault_demo" in shown
    for leak in ("SELECT", "FROM", "[SQL", "parameters", "center_ids", "Traceback", ".py", str(ROOT), "sqlalche"):
        assert leak not in shown, f"the message shows {leak!r}: {shown}"
    assert len(at.dataframe) == 0

    pg.start()
    at.button(key="retry_database").click().run()
    assert not at.exception and UNREACHABLE not in texts(at)
    assert len(at.dataframe) >= 1


# --- an import killed midway -------------------------------------------------------------------------

def _progress_rows(log: Path, file_name: str) -> int:
    """The last row count tqdm printed for one file (progress goes to stderr as 'documents.csv: 12345 rows')."""
    text = log.read_text(errors="replace").replace("\r", "\n")
    last = 0
    for line in text.splitlines():
        if line.startswith(file_name + ":"):
            try:
                last = int(line.split(":", 1)[1].split("rows", 1)[0].replace(",", "").strip().split()[-1])
            except (ValueError, IndexError):
                continue
    return last


def _kill_import_midway(url: str, bundle: Path, log: Path, after_rows: int) -> tuple[int, float]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "syncstatus", "import", str(bundle)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = _progress_rows(log, "documents.csv")
        if seen >= after_rows:
            break
        time.sleep(0.05)  # polling a child process's progress, not waiting for a page
    assert proc.poll() is None, f"the import finished before it could be killed:\n{log.read_text()[-800:]}"
    assert seen >= after_rows, "documents.csv progress never appeared"
    t0 = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    return seen, time.monotonic() - t0


@pytest.fixture(scope="module")
def large_bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("kill_bundle")
    # Large enough (~94,000 documents) that the kill lands while documents.csv is still being read.
    written = scale.write_bundle(out, centers=40, days=40, invoices_per_day=55, journals_per_day=4,
                                 end=date(2026, 11, 20), seed=3)
    return out, written


def test_an_import_killed_midway_leaves_no_rows_and_the_rerun_loads_everything(owned_postgres, large_bundle, tmp_path):
    bundle, written = large_bundle
    url = owned_postgres.create_database("syncstatus_fault_kill")
    engine = dbmod.create_db_engine(url)
    dbmod.upgrade(engine)
    before = table_counts(engine)

    seen, _ = _kill_import_midway(url, bundle, tmp_path / "killed.log", after_rows=ingest.BATCH_ROWS)
    assert 0 < seen < written["documents"]

    after = table_counts(engine)
    assert after["sync_document"] == 0 and after["center"] == 0 and after["sync_daily"] == 0
    changed = {k for k in after if after[k] != before[k]}
    assert changed <= {"import_run"}, f"a killed import left rows in {changed}"
    with engine.connect() as conn:
        # The run row was committed before the data; SIGKILL leaves it at 'running' (nothing can record it).
        runs = conn.execute(sa.select(import_run.c.status, import_run.c.rows_loaded)).all()
    assert [(r.status, r.rows_loaded) for r in runs] == [("running", 0)]

    summary = ingest.import_bundle(engine, bundle)  # the lock of the killed import is gone with its connection
    assert summary.status == "succeeded", summary.error
    assert summary.read == summary.loaded + summary.updated + summary.unchanged + summary.superseded + summary.rejected
    assert summary.rejected == 0
    with engine.connect() as conn:
        docs = conn.execute(sa.select(sa.func.count()).select_from(sync_document)).scalar_one()
        rolled = conn.execute(sa.select(sa.func.sum(sync_daily.c.documents))).scalar_one()
        centers = conn.execute(sa.select(sa.func.count()).select_from(center)).scalar_one()
        runs = conn.execute(sa.select(import_run.c.status, import_run.c.error).order_by(import_run.c.id)).all()
    # The re-run found the killed run's liveness lock gone with its process and put it on record as interrupted.
    assert [r.status for r in runs] == ["interrupted", "succeeded"]
    assert "killed" in runs[0].error
    assert docs == written["documents"] == rolled
    assert centers == 40
    engine.dispose()


def test_an_import_against_a_stopped_database_fails_with_a_plain_reason_and_loads_nothing(
        owned_postgres, demo_bundle):
    url = owned_postgres.create_database("syncstatus_fault_down")
    engine = dbmod.create_db_engine(url)
    dbmod.upgrade(engine)
    owned_postgres.stop()
    try:
        with pytest.raises(sa.exc.OperationalError):
            ingest.import_bundle(engine, demo_bundle)
        with pytest.raises(dbmod.DatabaseUnavailable, match=f"cannot reach PostgreSQL at 127.0.0.1:{owned_postgres.port}"):
            dbmod.check_connection(engine)
    finally:
        owned_postgres.start()
    assert table_counts(engine)["sync_document"] == 0
    assert ingest.import_bundle(engine, demo_bundle).status == "succeeded"
    engine.dispose()
