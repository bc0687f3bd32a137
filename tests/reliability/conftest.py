"""Fault harness: a PostgreSQL server the tests own (so it can be stopped), bundles to import, table counts.

The shared server on 5432 is never stopped: the `owned_postgres` fixture runs its own cluster
(initdb + pg_ctl from /usr/lib/postgresql/15/bin, as the `postgres` OS user because initdb refuses root)
in a temporary folder on a free port, and removes it afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncstatus import db as dbmod
from syncstatus.schema import metadata
from tests.conftest import skip_or_fail

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnedPostgres:
    """A throwaway PostgreSQL cluster: init, start, stop (fast), start again, destroy."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="syncstatus_owned_pg_"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = free_port()
        self._as_user = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if self._as_user:
            cmd = ["runuser", "-u", OS_USER, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout)

    def init(self) -> OwnedPostgres:
        if self._as_user:
            pw = pwd.getpwnam(OS_USER)
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        os.chmod(self.base, 0o755)
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        return self

    def start(self) -> OwnedPostgres:
        opts = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        try:
            self._run(PG_BIN / "pg_ctl", "-D", self.data, "status")
            return True
        except subprocess.CalledProcessError:
            return False

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))  # our own fixed identifier
        admin.dispose()
        return self.url(name)


@pytest.fixture(scope="session")
def owned_postgres():
    """A PostgreSQL server this test session may stop and start (never the shared one)."""
    if not (PG_BIN / "initdb").exists():
        skip_or_fail(f"PostgreSQL server binaries not found in {PG_BIN}")
    pg = OwnedPostgres()
    try:
        pg.init().start()
    except (subprocess.CalledProcessError, KeyError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        pg.destroy()
        skip_or_fail(f"cannot run a test-owned PostgreSQL: {detail.strip()[:300]}")
    yield pg
    pg.destroy()


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows in every table of the schema: the fingerprint that must not change under hostile input."""
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def fresh_sqlite(path: Path) -> sa.Engine:
    engine = dbmod.create_db_engine(f"sqlite:///{path}")
    dbmod.upgrade(engine)
    return engine
