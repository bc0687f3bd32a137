"""A page whose statement runs past PAGE_QUERY_TIMEOUT_SECONDS says so in plain words, and the database has stopped
the statement: PostgreSQL's statement_timeout of page sessions, SQLite's progress handler."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa

from syncstatus import access, db, operations
from tests.app.conftest import demo_url, open_page, texts

# A statement that runs far past one second on either database (SQLite: counting to 10^9).
SQLITE_SLOW = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000) "
               "SELECT count(*) FROM n")


def slow_statement(dialect: str, tag: str) -> sa.TextClause:
    if dialect == "postgresql":
        return sa.text(f"SELECT pg_sleep(30) /* {tag} */")   # a tag this test generated
    return sa.text(SQLITE_SLOW)


def test_a_page_past_the_statement_timeout_says_it_took_too_long(demo_engine, monkeypatch):
    access.create_demo_users(demo_engine)
    monkeypatch.setenv("DATABASE_URL", demo_url(demo_engine))
    monkeypatch.setenv("PAGE_QUERY_TIMEOUT_SECONDS", "1")
    tag = f"syncstatus-slow-page-{uuid.uuid4().hex[:8]}"

    def slow_stale_centers(engine, *args):   # stands for a report statement the planner got badly wrong
        with engine.connect() as conn:
            conn.execute(slow_statement(engine.dialect.name, tag)).all()

    monkeypatch.setattr(operations, "stale_centers", slow_stale_centers)
    started = time.monotonic()
    at = open_page("home", as_user="admin")
    assert time.monotonic() - started < 20
    assert not at.exception
    assert "This took too long: the database stopped it after 1 second." in texts(at)
    if demo_engine.dialect.name == "postgresql":
        with demo_engine.connect() as conn:
            running = conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE state = 'active' AND query LIKE :q AND pid <> pg_backend_pid()"), {"q": f"%{tag}%"}).scalar()
        assert running == 0


def test_sqlite_page_statements_are_interrupted_at_the_timeout_and_others_are_not(tmp_path, monkeypatch):
    monkeypatch.setenv("PAGE_QUERY_TIMEOUT_SECONDS", "1")
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    pages, plain = db.create_db_engine(url, for_pages=True), db.create_db_engine(url)
    try:
        started = time.monotonic()
        with pages.connect() as conn, pytest.raises(sa.exc.OperationalError) as caught:
            conn.execute(sa.text(SQLITE_SLOW)).all()
        assert db.is_timeout(caught.value) and time.monotonic() - started < 10
        with pages.connect() as conn:   # the connection serves the next statement, which gets its own second
            time.sleep(1.2)
            assert conn.execute(sa.text("SELECT count(*) FROM (SELECT 1 UNION ALL SELECT 2)")).scalar() == 2
        with plain.connect() as conn:   # the importer's and the command line's engine has no timeout
            started = time.monotonic()
            longer = SQLITE_SLOW.replace("1000000000", "10000000")   # about 2.5 s here
            assert conn.execute(sa.text(longer)).scalar() == 10000000
            assert time.monotonic() - started > 1
    finally:
        pages.dispose()
        plain.dispose()
