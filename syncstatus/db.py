"""Engines, connection errors in plain words, and schema migrations (`python -m syncstatus db upgrade`)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from syncstatus.config import ConfigError, load_settings
from syncstatus.schema import metadata


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message is fit to show a user."""


def describe_url(url: str) -> str:
    """Where a URL points, without its password: 'PostgreSQL at host:5432/db' or 'SQLite at /path'."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite at {u.database or ':memory:'}"
    return f"PostgreSQL at {u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}"


def reader_role_name(database: str) -> str:
    """The reader role of one database (row-level security, docs/SECURITY.md): derived from the database's name, so
    two deployments on one server never share it. At most 63 characters (PostgreSQL's limit); the hash keeps two
    names apart that differ only in characters a role name drops or beyond its length."""
    slug = re.sub(r"[^a-z0-9_]+", "_", database.lower()).strip("_")[:36]
    return f"syncstatus_reader_{slug}_{hashlib.sha256(database.encode()).hexdigest()[:8]}"


def create_db_engine(url: str | None = None, for_pages: bool = False) -> Engine:
    """An engine for the database at `url` (default: DATABASE_URL).

    `for_pages=True` (the dashboard's pages): statements stop after PAGE_QUERY_TIMEOUT_SECONDS; on PostgreSQL every
    connection is a page session, which runs as the database's reader role (SELECT only, row-level security by the
    transaction's centers) with that statement_timeout; the query loader switches to the login role for one statement at a time
    for statements without :center_ids (sign-in, audit, schedules). The importer, migrations, the command line and
    the schedule runner use a plain engine: the login role, every row."""
    url = url or load_settings().database_url
    try:
        u = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse text
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if u.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        if for_pages and load_settings().page_query_timeout_seconds:
            _sqlite_statement_timeout(engine, load_settings().page_query_timeout_seconds)
        return engine
    engine = sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"connect_timeout": 5, "application_name": "syncstatus"},
    )
    if for_pages:
        timeout_ms = load_settings().page_query_timeout_seconds * 1000

        @sa.event.listens_for(engine, "connect")
        def _page_session(dbapi_conn, record):
            from syncstatus.access import open_page_session  # late: access imports this module

            record.info[PAGE_SESSION_KEY] = open_page_session(engine, dbapi_conn, timeout_ms)

    return engine


# Connection.info of a page session's connection: the reader role it runs as (see create_db_engine).
PAGE_SESSION_KEY = "syncstatus_page_reader"


_DEADLINE_KEY = "syncstatus_statement_deadline"


def _sqlite_statement_timeout(engine: Engine, seconds: int) -> None:
    """SQLite's counterpart of statement_timeout for page sessions: each statement (with the fetching of its rows)
    gets `seconds`; past them SQLite's progress handler, called every 10,000 virtual machine steps, interrupts it."""

    @sa.event.listens_for(engine, "connect")
    def _progress(dbapi_conn, record):
        record.info[_DEADLINE_KEY] = float("inf")
        dbapi_conn.set_progress_handler(lambda: int(time.monotonic() > record.info[_DEADLINE_KEY]), 10_000)

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info[_DEADLINE_KEY] = time.monotonic() + seconds


def is_timeout(exc: BaseException) -> bool:
    """Whether a database error is a statement stopped by the page statement timeout (PostgreSQL: query_canceled;
    SQLite: interrupted by the progress handler)."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        return str(orig) == "interrupted"
    return getattr(orig, "sqlstate", None) == "57014"


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable with 'cannot reach PostgreSQL at host:port: reason' when it is down."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(unavailable_message(engine, exc)) from None


def unavailable_message(engine: Engine, exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    first = reason[0] if reason else type(exc).__name__
    return f"cannot reach {describe_url(engine.url.render_as_string(hide_password=True))}: {first}"


def is_postgres(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


def utcnow() -> datetime:
    """Naive UTC timestamp: the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


# --- migrations -------------------------------------------------------------------------------
# Ordered, append-only steps; each runs once per database and is recorded in schema_migration.

schema_migration = sa.Table(
    "schema_migration",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)


def _m001_initial(conn: Connection) -> None:
    metadata.create_all(conn)


def _m002_row_level_security(conn: Connection) -> None:
    # PostgreSQL only: center tables answer the reader role only within its scope (docs/SECURITY.md).
    if is_postgres(conn):
        from syncstatus.access import install_row_level_security  # late: access imports this module

        install_row_level_security(conn)


def _m003_email_delivery_request(conn: Connection) -> None:
    # Databases created before these columns existed: what each delivery sends, for retries and resends.
    from syncstatus.schema import email_delivery

    have = {c["name"] for c in sa.inspect(conn).get_columns("email_delivery")}
    if "request_json" not in have:
        conn.execute(sa.text("ALTER TABLE email_delivery ADD COLUMN request_json TEXT"))
    if "requested_by" not in have:
        conn.execute(sa.text("ALTER TABLE email_delivery ADD COLUMN requested_by VARCHAR(100)"))
    for index in email_delivery.indexes:
        index.create(conn, checkfirst=True)


def _m004_center_day_rollup(conn: Connection) -> None:
    # The running-total rollup of the Sync Status report and the misc. journal account indexes of Trends,
    # filled from the existing daily rollup; row-level security extended to the new table.
    from syncstatus import rollup
    from syncstatus.schema import misc_journal, sync_center_day

    sync_center_day.create(conn, checkfirst=True)
    for index in misc_journal.indexes:
        index.create(conn, checkfirst=True)
    _m002_row_level_security(conn)
    rollup.refresh_center_day(conn, rollup.all_center_ids(conn), rollup.MIN_DATE)


def _m005_trends_rollups(conn: Connection) -> None:
    # The Trends page's week/month sums and stored spike baselines, filled from sync_center_day (migration 4).
    from syncstatus import rollup, rollup_trends
    from syncstatus.schema import spike_baseline, sync_center_period

    for table in (sync_center_period, spike_baseline):
        table.create(conn, checkfirst=True)  # with its indexes (a fresh database has them from migration 1)
    _m002_row_level_security(conn)
    rollup_trends.refresh(conn, rollup.all_center_ids(conn), rollup.MIN_DATE)


def _m006_blocked_references(conn: Connection) -> None:
    # The Trends rollup of documents blocked by deleted or inactive accounts and items, counted from the
    # existing detail rows; row-level security extended to the new table.
    from syncstatus import rollup, rollup_blocked
    from syncstatus.schema import blocked_reference_day

    blocked_reference_day.create(conn, checkfirst=True)
    _m002_row_level_security(conn)
    rollup_blocked.refresh(conn, rollup.all_center_ids(conn))


def _m007_reader_role_per_database(conn: Connection) -> None:
    # The reader role was one for the whole server (syncstatus_reader), so every deployment's login role could read
    # and write every other deployment's database through it: this database's grants to it, its policies and the
    # login role's membership go, and a reader role of this database's own takes over, SELECT only (docs/SECURITY.md).
    if is_postgres(conn):
        from syncstatus.access import install_row_level_security, retire_shared_reader_role

        retire_shared_reader_role(conn)
        install_row_level_security(conn)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial schema", _m001_initial),
    (2, "row-level security by center", _m002_row_level_security),
    (3, "email delivery request columns", _m003_email_delivery_request),
    (4, "running-total rollup sync_center_day", _m004_center_day_rollup),
    (5, "trends rollups sync_center_period and spike_baseline", _m005_trends_rollups),
    (6, "blocked references rollup blocked_reference_day", _m006_blocked_references),
    (7, "a reader role per database, SELECT only", _m007_reader_role_per_database),
]


def upgrade(engine: Engine, echo: Callable[[str], None] | None = None) -> list[int]:
    """Apply every migration not yet applied; returns the versions applied now."""
    applied_now: list[int] = []
    with engine.begin() as conn:
        schema_migration.create(conn, checkfirst=True)
        if is_postgres(conn):
            # Two processes upgrading at once: the second waits, then finds nothing to do.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7243001)"))
        done = set(conn.execute(sa.select(schema_migration.c.version)).scalars())
        for version, name, step in MIGRATIONS:
            if version in done:
                continue
            step(conn)
            conn.execute(schema_migration.insert().values(version=version, name=name, applied_at=utcnow()))
            applied_now.append(version)
            if echo:
                echo(f"applied migration {version:03d}: {name}")
    return applied_now


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("schema_migration"):
            return 0
        return conn.execute(sa.select(sa.func.max(schema_migration.c.version))).scalar() or 0
