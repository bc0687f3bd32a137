"""Shared fixtures: a database on SQLite and on PostgreSQL for every database test.

PostgreSQL tests create a throwaway database per test session (and per xdist worker) and drop it.
Without a server they skip with the reason, except under CI=true, where a skip is a failure.
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncstatus import db as dbmod
from syncstatus.schema import metadata

# Browser fixtures (server, browser, page) for every folder, so one Playwright serves a whole test process.
pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"
PG_ADMIN_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Demo data for read-only report tests: small, fixed seed, fixed end date so figures are stable.
DEMO_END = date(2026, 11, 20)
DEMO_ARGS = dict(centers=6, days=45, seed=7, end_date=DEMO_END)


def _pg_unavailable_reason() -> str | None:
    try:
        eng = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"


def skip_or_fail(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true forbids skipping: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server_url():
    """Admin URL of a reachable PostgreSQL server (skips locally, fails in CI, when absent)."""
    reason = _pg_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    return PG_ADMIN_URL


def create_pg_database(admin_url: str, prefix: str = "syncstatus_test") -> str:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))  # identifier we generated, not user input
    admin.dispose()
    return str(sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_pg_database(admin_url: str, url: str) -> None:
    """Drop a test database and its reader role (roles belong to the server, not to the database)."""
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{dbmod.reader_role_name(name)}"'))  # names we generated
    admin.dispose()


@pytest.fixture(scope="session")
def pg_url(pg_server_url):
    url = create_pg_database(pg_server_url)
    yield url
    drop_pg_database(pg_server_url, url)


@pytest.fixture(scope="session")
def pg_engine(pg_url):
    engine = dbmod.create_db_engine(pg_url)
    dbmod.upgrade(engine)
    yield engine
    engine.dispose()


def _wipe(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in reversed(metadata.sorted_tables):
                conn.execute(t.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """An empty, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        eng = dbmod.create_db_engine(f"sqlite:///{tmp_path / 'test.db'}")
        dbmod.upgrade(eng)
        yield eng
        eng.dispose()
    else:
        pg = request.getfixturevalue("pg_engine")
        _wipe(pg)
        yield pg


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory):
    from syncstatus import demo

    out = tmp_path_factory.mktemp("demo_bundle")
    demo.generate_bundle(out, **DEMO_ARGS)
    return out


@pytest.fixture(scope="session")
def demo_sqlite_engine(tmp_path_factory, demo_bundle):
    from syncstatus import ingest

    path = tmp_path_factory.mktemp("demo_db") / "demo.db"
    eng = dbmod.create_db_engine(f"sqlite:///{path}")
    dbmod.upgrade(eng)
    ingest.import_bundle(eng, demo_bundle)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_pg_engine(pg_server_url, demo_bundle):
    from syncstatus import ingest

    url = create_pg_database(pg_server_url, "syncstatus_demo")
    eng = dbmod.create_db_engine(url)
    dbmod.upgrade(eng)
    ingest.import_bundle(eng, demo_bundle)
    yield eng
    eng.dispose()
    drop_pg_database(pg_server_url, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_engine(request):
    """A read-only database loaded with the small demo bundle, on SQLite and on PostgreSQL."""
    return request.getfixturevalue("demo_sqlite_engine" if request.param == "sqlite" else "demo_pg_engine")
