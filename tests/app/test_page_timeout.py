"""A page whose statement runs past PAGE_QUERY_TIMEOUT_SECONDS says so in plain words, and the server has stopped
the statement. PostgreSQL only (the timeout is PostgreSQL's statement_timeout)."""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa

from syncstatus import access, operations
from tests.app.conftest import demo_url, open_page, texts


def test_a_page_past_the_statement_timeout_says_it_took_too_long(demo_pg_engine, monkeypatch):
    access.create_demo_users(demo_pg_engine)
    monkeypatch.setenv("DATABASE_URL", demo_url(demo_pg_engine))
    monkeypatch.setenv("PAGE_QUERY_TIMEOUT_SECONDS", "1")
    tag = f"syncstatus-slow-page-{uuid.uuid4().hex[:8]}"

    def slow_stale_centers(engine, *args):   # stands for a report statement the planner got badly wrong
        with engine.connect() as conn:
            conn.execute(sa.text(f"SELECT pg_sleep(30) /* {tag} */"))   # a tag this test generated

    monkeypatch.setattr(operations, "stale_centers", slow_stale_centers)
    started = time.monotonic()
    at = open_page("home", as_user="admin")
    assert time.monotonic() - started < 20
    assert not at.exception
    assert "This took too long: the database stopped it after 1 second." in texts(at)
    with demo_pg_engine.connect() as conn:
        running = conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE state = 'active' AND query LIKE :q AND pid <> pg_backend_pid()"),
            {"q": f"%{tag}%"}).scalar()
    assert running == 0
