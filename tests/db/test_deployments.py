"""Two deployments on one PostgreSQL server, each with its own database and its own login role: neither login
role can read or write the other's database, whatever it sets, including after an upgrade from the server-wide
reader role of earlier versions (migration 7). PostgreSQL only (skips locally without a server, fails in CI)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from syncstatus import access, db
from syncstatus.schema import center, sync_document, zone
from tests.conftest import drop_pg_database

SHARED = access.SHARED_READER_ROLE
ATTACKS = [
    "SELECT count(*) FROM sync_document",
    "SELECT count(*) FROM center",
    "SELECT username, email FROM app_user",
    "UPDATE sync_document SET attempts = attempts + 1",
    "DELETE FROM sync_daily",
    "INSERT INTO audit_event (at, action) VALUES (now(), 'export')",
]


class Deployment:
    def __init__(self, server_url: str, tag: str):
        suffix = uuid.uuid4().hex[:8]
        self.login = f"syncstatus_test_{tag}_{suffix}"
        self.database = f"syncstatus_dep_{tag}_{suffix}"
        self.url = sa.engine.make_url(server_url).set(username=self.login, database=self.database)
        self.reader = db.reader_role_name(self.database)

    def url_as(self, login: str) -> str:
        return self.url.set(username=login).render_as_string(hide_password=False)


def admin(server_url: str, statement: str, database: str | None = None) -> None:
    url = sa.engine.make_url(server_url)
    engine = sa.create_engine(url.set(database=database) if database else url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def fill(engine: sa.Engine, prefix: str) -> list[int]:
    with engine.begin() as conn:
        zone_id = conn.execute(zone.insert().values(code="N", name="North").returning(zone.c.id)).scalar_one()
        conn.execute(center.insert(), [dict(code=f"{prefix}{n}", name=f"{prefix} center {n}", zone_id=zone_id,
                                            platform="qbo") for n in range(3)])
        ids = list(conn.execute(sa.select(center.c.id).order_by(center.c.id)).scalars())
        conn.execute(sync_document.insert(), [dict(center_id=c, kind="invoice", document_no=f"{prefix}-{c}-{n}",
                                                   sync_date=date(2026, 11, 1), status="failed")
                                              for c in ids for n in range(2)])
    access.create_user(engine, "ana", "a-long-password", "center", centers=[f"{prefix}0"], email="ana@example.com")
    return ids


@pytest.fixture(scope="module")
def deployments(pg_server_url):
    """Deployments A and B: each a login role (LOGIN CREATEROLE, created here, dropped after) owning its database,
    which that role migrated and filled itself. Yields (A, B, B's center ids)."""
    a, b = Deployment(pg_server_url, "a"), Deployment(pg_server_url, "b")
    made: list[Deployment] = []
    try:
        for d in (a, b):
            admin(pg_server_url, f'CREATE ROLE "{d.login}" LOGIN CREATEROLE')   # names this test generated
            made.append(d)
            admin(pg_server_url, f'CREATE DATABASE "{d.database}" OWNER "{d.login}"')
            engine = db.create_db_engine(d.url_as(d.login))
            try:
                db.upgrade(engine)
                ids = fill(engine, d.login[-8:])
            finally:
                engine.dispose()
        yield a, b, ids
    finally:
        for d in made:
            drop_pg_database(pg_server_url, d.url_as("postgres"))
            admin(pg_server_url, f'DROP ROLE IF EXISTS "{d.login}"')


def test_each_database_has_its_own_reader_whose_only_member_is_its_login_role(deployments, pg_server_url):
    a, b, _ = deployments
    assert a.reader != b.reader
    engine = sa.create_engine(pg_server_url)
    try:
        with engine.connect() as conn:
            for d in (a, b):
                members = conn.execute(sa.text(
                    "SELECT m.member::regrole::text FROM pg_auth_members m WHERE m.roleid = CAST(:r AS regrole)"),
                    {"r": d.reader}).scalars().all()
                assert members == [d.login]
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", ATTACKS)
def test_a_login_role_can_neither_read_nor_write_another_deployments_data(deployments, statement):
    a, b, ids = deployments
    intruder = db.create_db_engine(b.url_as(a.login))   # A's login role, in B's database
    try:
        with intruder.connect() as conn:
            conn.execute(sa.text("SELECT set_config('syncstatus.center_ids', :csv, false)"),
                         {"csv": ",".join(map(str, ids))})
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text(statement))
    finally:
        intruder.dispose()


@pytest.mark.parametrize("role", ["b_reader", SHARED])
def test_a_login_role_cannot_become_another_deployments_reader(deployments, role):
    a, b, ids = deployments
    intruder = db.create_db_engine(b.url_as(a.login))
    try:
        with intruder.connect() as conn:
            conn.execute(sa.text("SELECT set_config('syncstatus.center_ids', :csv, false)"),
                         {"csv": ",".join(map(str, ids))})
            with pytest.raises(sa.exc.DBAPIError, match="permission denied|does not exist|invalid value"):
                target = b.reader if role == "b_reader" else role
                conn.execute(sa.text("SELECT set_config('role', :r, false)"), {"r": target})
                conn.execute(sa.text("SELECT count(*) FROM sync_document"))
    finally:
        intruder.dispose()


def test_pages_of_one_deployment_pointed_at_the_other_database_are_refused(deployments):
    a, b, _ = deployments
    pages = db.create_db_engine(b.url_as(a.login), for_pages=True)
    try:
        with pytest.raises(db.DatabaseUnavailable, match=b.reader):
            pages.connect()
    finally:
        pages.dispose()


def test_each_deployments_own_pages_see_their_scope(deployments):
    _, b, ids = deployments
    pages = db.create_db_engine(b.url_as(b.login), for_pages=True)
    try:
        with pages.connect() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() == b.reader
            access.apply_rls_scope(conn, ids[:1])
            assert conn.execute(sa.text("SELECT count(*) FROM sync_document")).scalar() == 2
    finally:
        pages.dispose()


def test_the_upgrade_takes_away_what_the_server_wide_reader_role_could_do(deployments, pg_server_url):
    a, b, ids = deployments
    # The state an earlier version left: a server-wide reader with every right on B's tables and both login roles
    # (inheriting) members of it. Created here if this server never had it; left in place (other databases may use it).
    admin(pg_server_url, f"DO $$ BEGIN CREATE ROLE {SHARED} NOLOGIN; "
                         "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
    admin(pg_server_url, f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {SHARED}", b.database)
    admin(pg_server_url, f'GRANT {SHARED} TO "{a.login}", "{b.login}"')
    admin(pg_server_url, "DROP POLICY syncstatus_reader_scope ON sync_document", b.database)
    admin(pg_server_url, f"CREATE POLICY syncstatus_reader_scope ON sync_document AS RESTRICTIVE FOR ALL TO {SHARED} "
                         "USING (center_id = ANY (syncstatus_center_scope()))", b.database)
    admin(pg_server_url, "DELETE FROM schema_migration WHERE version = 7", b.database)
    intruder = db.create_db_engine(b.url_as(a.login))
    owner = db.create_db_engine(b.url_as(b.login))
    csv = ",".join(map(str, ids))
    try:
        with intruder.connect() as conn:   # the attack of issue 24, before the upgrade
            conn.execute(sa.text("SELECT set_config('syncstatus.center_ids', :csv, false)"), {"csv": csv})
            assert conn.execute(sa.text("SELECT count(*) FROM sync_document")).scalar() == 6
        assert db.upgrade(owner) == [7]
        with intruder.connect() as conn:
            conn.execute(sa.text("SELECT set_config('syncstatus.center_ids', :csv, false)"), {"csv": csv})
            conn.execute(sa.text(f"SET ROLE {SHARED}"))   # A is still a member (only B's own membership goes)
            for statement in ATTACKS:
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    conn.execute(sa.text(statement))
                conn.rollback()
                conn.execute(sa.text("SELECT set_config('syncstatus.center_ids', :csv, false)"), {"csv": csv})
                conn.execute(sa.text(f"SET ROLE {SHARED}"))
        with owner.connect() as conn:
            members = conn.execute(sa.text(
                "SELECT m.member::regrole::text FROM pg_auth_members m WHERE m.roleid = CAST(:r AS regrole)"),
                {"r": SHARED}).scalars().all()
            policies = conn.execute(sa.text("SELECT count(*) FROM pg_policies WHERE :r = ANY (roles)"),
                                    {"r": SHARED}).scalar()
        assert b.login not in members and policies == 0
        test_each_deployments_own_pages_see_their_scope(deployments)   # B's own reader took over
    finally:
        intruder.dispose()
        owner.dispose()
        admin(pg_server_url, f'REVOKE {SHARED} FROM "{a.login}"')


def test_a_login_role_that_may_not_create_the_reader_is_told_what_to_do(pg_server_url, monkeypatch, capsys):
    from syncstatus import cli

    d = Deployment(pg_server_url, "c")
    admin(pg_server_url, f'CREATE ROLE "{d.login}" LOGIN')   # no CREATEROLE
    try:
        admin(pg_server_url, f'CREATE DATABASE "{d.database}" OWNER "{d.login}"')
        engine = db.create_db_engine(d.url_as(d.login))
        try:
            with pytest.raises(sa.exc.ProgrammingError, match=f"may not create this database's reader role {d.reader}"):
                db.upgrade(engine)
            monkeypatch.setenv("DATABASE_URL", d.url_as(d.login))
            assert cli.main(["db", "upgrade"]) == 2
            err = capsys.readouterr().err
            assert f"may not create this database's reader role {d.reader}" in err
            assert f'hint: Give it CREATEROLE, or have an administrator run: CREATE ROLE {d.reader} NOLOGIN' in err
        finally:
            engine.dispose()
    finally:
        drop_pg_database(pg_server_url, d.url_as("postgres"))
        admin(pg_server_url, f'DROP ROLE IF EXISTS "{d.login}"')
