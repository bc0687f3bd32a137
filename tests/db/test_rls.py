"""Row-level security on PostgreSQL: as the reader role, a query without any center filter still sees only
the centers of the transaction's scope. PostgreSQL only (skips locally without a server, fails in CI)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from syncstatus import access, db, schema, sql
from syncstatus.schema import center, sync_document, zone
from tests.conftest import create_pg_database, drop_pg_database

READER = "syncstatus_reader"
DOCUMENTS = {"C1": 2, "C2": 3, "C3": 4}  # sync_document rows per center


@pytest.fixture(scope="module")
def rls_db(pg_server_url):
    """A throwaway migrated database with three centers and their documents; yields (engine, ids by code)."""
    url = create_pg_database(pg_server_url, "syncstatus_rls")
    engine = db.create_db_engine(url)
    try:
        db.upgrade(engine)
        with engine.begin() as conn:
            zone_id = conn.execute(zone.insert().values(code="N", name="North").returning(zone.c.id)).scalar_one()
            conn.execute(center.insert(), [dict(code=c, name=f"Center {c}", zone_id=zone_id, platform="qbo")
                                           for c in DOCUMENTS])
            ids = dict(conn.execute(sa.select(center.c.code, center.c.id)).all())
            conn.execute(sync_document.insert(), [
                dict(center_id=ids[c], kind="invoice", document_no=f"{c}-{n}", sync_date=date(2026, 11, 1),
                     status="failed")
                for c, count in DOCUMENTS.items() for n in range(count)])
        yield engine, ids
    finally:
        engine.dispose()
        drop_pg_database(pg_server_url, url)


@pytest.fixture
def as_reader(monkeypatch):
    monkeypatch.setenv(access.READER_ROLE_ENV, READER)


COUNT = sa.text("SELECT count(*) FROM sync_document")  # deliberately without any application filter


def test_the_reader_sees_only_the_centers_of_its_scope(rls_db, as_reader):
    engine, ids = rls_db
    with engine.connect() as conn:
        assert access.apply_rls_scope(conn, [ids["C1"]]) is True
        assert conn.execute(sa.text("SELECT current_user")).scalar() == READER
        assert conn.execute(COUNT).scalar() == DOCUMENTS["C1"]
        assert conn.execute(sa.text("SELECT code FROM center")).scalars().all() == ["C1"]


def test_the_reader_without_a_scope_sees_nothing(rls_db, as_reader):
    engine, ids = rls_db
    with engine.connect() as conn:
        access.apply_rls_scope(conn, [])
        assert conn.execute(COUNT).scalar() == 0
    with engine.connect() as conn:  # never set in this session at all
        sql.execute(conn, "access_set_role", role=READER)
        assert conn.execute(COUNT).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM center")).scalar() == 0


def test_a_scope_of_several_centers_sees_each_of_them(rls_db, as_reader):
    engine, ids = rls_db
    with engine.connect() as conn:
        access.apply_rls_scope(conn, [ids["C3"], ids["C1"]])
        per_center = dict(conn.execute(sa.text(
            "SELECT c.code, count(*) FROM sync_document d JOIN center c ON c.id = d.center_id GROUP BY c.code")).all())
    assert per_center == {"C1": DOCUMENTS["C1"], "C3": DOCUMENTS["C3"]}


def test_the_scope_ends_with_the_transaction(rls_db, as_reader):
    engine, ids = rls_db
    with engine.connect() as conn:
        access.apply_rls_scope(conn, [ids["C2"]])
        assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]
        conn.rollback()
        assert conn.execute(sa.text("SELECT current_user")).scalar() != READER
        assert conn.execute(COUNT).scalar() == sum(DOCUMENTS.values())


def test_the_login_role_keeps_every_row_without_the_reader_role(rls_db, monkeypatch):
    monkeypatch.delenv(access.READER_ROLE_ENV, raising=False)
    engine, ids = rls_db
    with engine.connect() as conn:
        assert access.apply_rls_scope(conn, [ids["C1"]]) is False  # scope set, no role switch: owner bypasses RLS
        assert conn.execute(COUNT).scalar() == sum(DOCUMENTS.values())


def test_another_role_with_table_rights_is_unaffected(rls_db):
    engine, _ = rls_db
    other = f"syncstatus_test_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:  # roles are transactional: the rollback removes it
        conn.execute(sa.text(f'CREATE ROLE "{other}" NOLOGIN'))  # a name this test generated
        conn.execute(sa.text(f'GRANT SELECT ON sync_document TO "{other}"'))
        sql.execute(conn, "access_set_role", role=other)
        assert conn.execute(COUNT).scalar() == sum(DOCUMENTS.values())
        conn.rollback()


def test_the_reader_writes_only_inside_its_scope(rls_db, as_reader):
    engine, ids = rls_db
    with engine.connect() as conn:
        access.apply_rls_scope(conn, [ids["C1"]])
        assert conn.execute(sa.text("UPDATE sync_document SET attempts = attempts + 1")).rowcount == DOCUMENTS["C1"]
        conn.execute(sync_document.insert().values(center_id=ids["C1"], kind="invoice", document_no="new",
                                                   sync_date=date(2026, 11, 2), status="pending"))
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            conn.execute(sync_document.insert().values(center_id=ids["C3"], kind="invoice", document_no="new",
                                                       sync_date=date(2026, 11, 2), status="pending"))
        conn.rollback()


def test_the_reader_cannot_read_password_hashes(rls_db, as_reader):
    engine, ids = rls_db
    with engine.connect() as conn:
        access.apply_rls_scope(conn, [ids["C1"]])
        assert conn.execute(sa.text("SELECT count(username) FROM app_user")).scalar() == 0
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text("SELECT password_hash FROM app_user"))
        conn.rollback()


def test_rls_scope_switches_back_after_one_statement(rls_db, as_reader):
    engine, ids = rls_db
    with engine.connect() as conn:
        with access.rls_scope(conn, [ids["C2"]]):
            assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]
        assert conn.execute(sa.text("SELECT current_user")).scalar() != READER
        assert conn.execute(COUNT).scalar() == sum(DOCUMENTS.values())
        conn.execute(sa.text("SELECT count(password_hash) FROM app_user"))  # the login role's rights are back
        conn.rollback()


def recommended_execute(conn, name, **params):
    """The change recommended for syncstatus.sql.execute (see docs/SECURITY.md), verbatim in behaviour."""
    stmt, bound = sql.statement(name, conn.dialect.name, params), sql._prepare(params)
    if "center_ids" not in params or conn.dialect.name != "postgresql":
        return conn.execute(stmt, bound)
    with access.rls_scope(conn, params["center_ids"]):
        return conn.execute(stmt, bound)


def test_the_recommended_loader_change_scopes_real_queries_and_keeps_writes_working(rls_db, as_reader, monkeypatch):
    engine, ids = rls_db
    monkeypatch.setattr(sql, "execute", recommended_execute)
    # A viewer asking for more than its scope still gets only its scope's rows: the database enforces it.
    directory = sql.frame(engine, "centers_directory", center_ids=[ids["C1"]])
    assert list(directory["center_code"]) == ["C1"]
    with engine.begin() as conn:
        sql.execute(conn, "access_set_scope", csv="")  # a statement without center_ids runs as the login role
        assert conn.execute(sa.text("SELECT current_user")).scalar() != READER
        result = sql.execute(conn, "centers_directory", center_ids=[ids["C2"]])
        assert [r.center_code for r in result] == ["C2"]
        assert conn.execute(sa.text("SELECT current_user")).scalar() != READER  # switched back at once
        conn.execute(sa.text("INSERT INTO audit_event (at, action) VALUES (now(), 'export')"))  # login role writes
        conn.rollback()


def test_maintenance_writes_that_take_center_ids_work_under_the_reader(rls_db, as_reader, monkeypatch):
    from syncstatus import rollup

    engine, ids = rls_db
    monkeypatch.setattr(sql, "execute", recommended_execute)
    with engine.connect() as conn:
        rollup.refresh(conn, [ids["C1"], ids["C2"]])  # DELETE + INSERT ... SELECT, each confined to the scope
        counts = dict(conn.execute(sa.text(
            "SELECT center_id, SUM(documents) FROM sync_daily GROUP BY center_id")).all())
        conn.rollback()
    assert counts == {ids["C1"]: DOCUMENTS["C1"], ids["C2"]: DOCUMENTS["C2"]}


def test_installing_again_is_harmless_and_guards_every_center_table(rls_db):
    engine, _ = rls_db
    with engine.begin() as conn:
        access.install_row_level_security(conn)
    with engine.connect() as conn:
        policies = conn.execute(sa.text(
            "SELECT tablename, policyname, permissive, roles::text[] FROM pg_policies ORDER BY 1, 2")).all()
    guarded = sorted(["center", *schema.CENTER_TABLES])
    assert sorted({p.tablename for p in policies}) == guarded
    assert len(policies) == 2 * len(guarded)
    reader_policies = [p for p in policies if p.policyname == "syncstatus_reader_scope"]
    assert all(p.permissive == "RESTRICTIVE" and p.roles == [READER] for p in reader_policies)


def _scope_statements(engine):
    """The set_config statements of the center scope sent on this engine, recorded as they go out."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "syncstatus.center_ids" in statement:
            sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    return sent, lambda: sa.event.remove(engine, "before_cursor_execute", record)


def test_the_scope_is_sent_once_per_transaction_and_again_in_the_next(rls_db, as_reader):
    engine, ids = rls_db
    sent, stop = _scope_statements(engine)
    try:
        with engine.connect() as conn:
            one = [ids["C1"]]
            for _ in range(3):
                with access.rls_scope(conn, one):
                    assert conn.execute(COUNT).scalar() == DOCUMENTS["C1"]
            assert len(sent) == 1
            with access.rls_scope(conn, [ids["C2"]]):       # other centers: set again
                assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]
            assert len(sent) == 2
            conn.rollback()                                  # a new transaction on the same connection
            with access.rls_scope(conn, [ids["C2"]]):
                assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]
            assert len(sent) == 3
        with engine.connect() as conn:                       # the pooled connection again, a new transaction
            with access.rls_scope(conn, [ids["C2"]]):
                assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]
        assert len(sent) == 4
    finally:
        stop()


def test_center_lists_go_to_postgresql_as_one_array_text_and_still_filter(rls_db):
    engine, ids = rls_db
    sent: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(parameters)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as conn:
            got = sql.execute(conn, "summary_header", center_ids=[ids["C2"], ids["C1"]], document_no="C1-0").all()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert [r.document_no for r in got] == ["C1-0"]
    header = [p for p in sent if isinstance(p, dict) and "document_no" in p]
    assert header and header[0]["center_ids"] == f"{{{ids['C2']},{ids['C1']}}}"
    with engine.connect() as conn:   # a center outside the list is not matched
        assert sql.execute(conn, "summary_header", center_ids=[ids["C2"]], document_no="C1-0").all() == []
