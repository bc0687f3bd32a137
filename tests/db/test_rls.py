"""Row-level security on PostgreSQL: a page session runs as its database's reader role, so a query without any
center filter still sees only the centers of the transaction's scope, and the reader may only SELECT what pages
read. PostgreSQL only (skips locally without a server, fails in CI)."""

from __future__ import annotations

import re
import time
import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from syncstatus import access, db, schema, sql
from syncstatus.schema import center, sync_document, zone
from tests.conftest import create_pg_database, drop_pg_database
from tests.db.test_query_guard import CENTER_IDS_BIND, code_of

DOCUMENTS = {"C1": 2, "C2": 3, "C3": 4}  # sync_document rows per center
COUNT = sa.text("SELECT count(*) FROM sync_document")  # deliberately without any application filter


@pytest.fixture(scope="module")
def rls_db(pg_server_url):
    """A throwaway migrated database with three centers and their documents; yields (plain engine, page engine,
    ids by code, the database's reader role)."""
    url = create_pg_database(pg_server_url, "syncstatus_rls")
    engine = db.create_db_engine(url)
    pages = db.create_db_engine(url, for_pages=True)
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
        yield engine, pages, ids, db.reader_role_name(sa.engine.make_url(url).database)
    finally:
        pages.dispose()
        engine.dispose()
        drop_pg_database(pg_server_url, url)


def current_user(conn) -> str:
    return conn.execute(sa.text("SELECT current_user")).scalar()


def test_a_page_session_runs_as_its_databases_reader_with_the_statement_timeout(rls_db):
    _, pages, _, reader = rls_db
    assert reader.startswith("syncstatus_reader_syncstatus_rls_") and len(reader) <= 63
    with pages.connect() as conn:
        assert current_user(conn) == reader
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "30s"
        assert access.reader_role(conn) == reader


def test_the_reader_sees_only_the_centers_of_its_scope(rls_db):
    _, pages, ids, _ = rls_db
    with pages.connect() as conn:
        assert access.apply_rls_scope(conn, [ids["C1"]]) is True
        assert conn.execute(COUNT).scalar() == DOCUMENTS["C1"]
        assert conn.execute(sa.text("SELECT code FROM center")).scalars().all() == ["C1"]


def test_the_reader_without_a_scope_sees_nothing(rls_db):
    _, pages, ids, _ = rls_db
    with pages.connect() as conn:
        access.apply_rls_scope(conn, [])
        assert conn.execute(COUNT).scalar() == 0
    with pages.connect() as conn:  # a transaction that never set a scope
        assert conn.execute(COUNT).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM center")).scalar() == 0


def test_a_scope_of_several_centers_sees_each_of_them(rls_db):
    _, pages, ids, _ = rls_db
    with pages.connect() as conn:
        access.apply_rls_scope(conn, [ids["C3"], ids["C1"]])
        per_center = dict(conn.execute(sa.text(
            "SELECT c.code, count(*) FROM sync_document d JOIN center c ON c.id = d.center_id GROUP BY c.code")).all())
    assert per_center == {"C1": DOCUMENTS["C1"], "C3": DOCUMENTS["C3"]}


def test_the_scope_ends_with_the_transaction_and_the_session_stays_the_reader(rls_db):
    _, pages, ids, reader = rls_db
    with pages.connect() as conn:
        access.apply_rls_scope(conn, [ids["C2"]])
        assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]
        conn.rollback()
        assert current_user(conn) == reader
        assert conn.execute(COUNT).scalar() == 0


def test_the_login_role_of_a_plain_engine_keeps_every_row(rls_db):
    engine, _, ids, reader = rls_db
    with engine.connect() as conn:
        assert access.apply_rls_scope(conn, [ids["C1"]]) is False  # scope set, no reader: the owner bypasses RLS
        assert current_user(conn) != reader
        assert conn.execute(COUNT).scalar() == sum(DOCUMENTS.values())


def test_another_role_with_table_rights_is_unaffected(rls_db):
    engine, _, _, _ = rls_db
    other = f"syncstatus_test_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:  # roles are transactional: the rollback removes it
        conn.execute(sa.text(f'CREATE ROLE "{other}" NOLOGIN'))  # a name this test generated
        conn.execute(sa.text(f'GRANT SELECT ON sync_document TO "{other}"'))
        sql.execute(conn, "access_set_role", role=other)
        assert conn.execute(COUNT).scalar() == sum(DOCUMENTS.values())
        conn.rollback()


@pytest.mark.parametrize("statement", [
    "UPDATE sync_document SET attempts = attempts + 1",
    "DELETE FROM sync_document",
    "INSERT INTO audit_event (at, action) VALUES (now(), 'export')",
    "SELECT count(*) FROM app_user",
    "SELECT count(*) FROM email_delivery",
    "SELECT count(*) FROM audit_event",
])
def test_the_reader_may_not_write_nor_read_beyond_what_pages_read(rls_db, statement):
    _, pages, ids, _ = rls_db
    with pages.connect() as conn:
        access.apply_rls_scope(conn, [ids["C1"]])
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text(statement))


def test_the_reader_holds_select_on_exactly_the_tables_pages_read(rls_db):
    engine, _, _, reader = rls_db
    with engine.connect() as conn:
        grants = set(conn.execute(sa.text(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = :r"),
            {"r": reader}).all())
        columns = conn.execute(sa.text(
            "SELECT count(*) FROM information_schema.column_privileges WHERE grantee = :r AND table_name NOT IN "
            "(SELECT table_name FROM information_schema.role_table_grants WHERE grantee = :r)"), {"r": reader}).scalar()
        members = conn.execute(sa.text(
            "SELECT m.member::regrole::text FROM pg_auth_members m WHERE m.roleid = CAST(:r AS regrole)"),
            {"r": reader}).scalars().all()
        attrs = conn.execute(sa.text("SELECT rolcanlogin, rolinherit FROM pg_roles WHERE rolname = :r"),
                             {"r": reader}).one()
    assert grants == {(t, "SELECT") for t in access.READER_TABLES}
    assert columns == 0
    assert members == ["postgres"]   # the login role that ran the migrations, and no one else
    assert tuple(attrs) == (False, False)


def test_the_reader_tables_are_every_table_a_query_over_center_data_reads():
    names = [t.name for t in schema.metadata.sorted_tables]
    read: set[str] = set()
    for path in sorted(sql.QUERIES_DIR.glob("*.sql")):
        code = code_of(path.read_text(encoding="utf-8"))
        if CENTER_IDS_BIND.search(code):
            read |= {n for n in names if re.search(rf"\b{n}\b", code, re.IGNORECASE)}
    assert read == set(access.READER_TABLES)


FORGETFUL = ("SELECT c.code, count(*) AS n FROM sync_document d JOIN center c ON c.id = d.center_id "
             "WHERE cardinality(CAST(:center_ids AS bigint[])) > 0 GROUP BY c.code ORDER BY c.code")


@pytest.fixture
def forgetful_query(monkeypatch):
    """A query file that binds :center_ids and then forgets to filter by it."""
    real = sql._read
    monkeypatch.setattr(sql, "_read",
                        lambda name, dialect: FORGETFUL if name == "test_forgetful" else real(name, dialect))
    sql._statement.cache_clear()
    yield "test_forgetful"
    sql._statement.cache_clear()


def test_a_page_query_that_forgets_its_center_filter_still_sees_only_the_viewers_centers(rls_db, forgetful_query):
    engine, pages, ids, _ = rls_db
    everything = sql.frame(engine, forgetful_query, center_ids=[ids["C1"]])
    assert dict(zip(everything["code"], everything["n"], strict=True)) == DOCUMENTS  # it does forget: all centers
    seen = sql.frame(pages, forgetful_query, center_ids=[ids["C1"]])
    assert dict(zip(seen["code"], seen["n"], strict=True)) == {"C1": DOCUMENTS["C1"]}
    with pages.connect() as conn:   # SQL that bypasses the loader: the transaction's scope, or nothing at all
        assert conn.execute(COUNT).scalar() == 0
        sql.execute(conn, forgetful_query, center_ids=[ids["C2"]]).all()
        assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]


def test_statements_without_center_ids_run_as_the_login_role_for_one_statement(rls_db):
    _, pages, ids, reader = rls_db
    with pages.begin() as conn:
        assert sql.execute(conn, "access_user_by_username", username="nobody").all() == []  # reads password_hash
        assert current_user(conn) == reader                    # back to the reader at once
        sql.execute(conn, "audit_insert", at=db.utcnow(), username=None, action="export", detail=None)
        assert current_user(conn) == reader
        assert len(sql.execute(conn, "access_all_centers").all()) == 3   # computes a viewer's centers: every row
        conn.rollback()


def test_signing_in_through_a_page_session_reads_the_account_and_counts_failures(rls_db, monkeypatch):
    from argon2 import PasswordHasher

    engine, pages, ids, reader = rls_db
    monkeypatch.setattr(access, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    username = f"page-{uuid.uuid4().hex[:8]}"
    access.create_user(engine, username, "a-long-password", "center", centers=["C2"])
    quiet = dict(sleep=lambda s: None)
    result = access.authenticate(pages, username, "a-long-password", **quiet)
    assert result.ok and result.viewer.center_ids == (ids["C2"],)        # its centers, computed as the login role
    assert access.viewer_for(pages, username).scope_label == "Center level: Center C2"
    access.create_user(engine, f"{username}-admin", "a-long-password", "admin")
    assert access.viewer_for(pages, f"{username}-admin").center_ids == tuple(sorted(ids.values()))
    for _ in range(access.MAX_FAILURES):
        access.authenticate(pages, username, "wrong-password", **quiet)
    assert access.authenticate(pages, username, "a-long-password", **quiet).reason == "locked"
    with pages.connect() as conn:
        assert current_user(conn) == reader


def test_maintenance_writes_that_take_center_ids_keep_the_login_role_on_a_plain_engine(rls_db):
    from syncstatus import rollup

    engine, _, ids, _ = rls_db
    with engine.connect() as conn:
        rollup.refresh(conn, [ids["C1"], ids["C2"]])  # DELETE + INSERT ... SELECT, as the owner
        counts = dict(conn.execute(sa.text(
            "SELECT center_id, SUM(documents) FROM sync_daily GROUP BY center_id")).all())
        conn.rollback()
    assert counts == {ids["C1"]: DOCUMENTS["C1"], ids["C2"]: DOCUMENTS["C2"]}


def test_installing_again_is_harmless_and_guards_every_center_table(rls_db):
    engine, _, _, reader = rls_db
    with engine.begin() as conn:
        access.install_row_level_security(conn)
    with engine.connect() as conn:
        policies = conn.execute(sa.text(
            "SELECT tablename, policyname, permissive, roles::text[] FROM pg_policies ORDER BY 1, 2")).all()
    guarded = sorted(["center", *schema.CENTER_TABLES])
    assert sorted({p.tablename for p in policies}) == guarded
    assert len(policies) == 2 * len(guarded)
    reader_policies = [p for p in policies if p.policyname == "syncstatus_reader_scope"]
    assert all(p.permissive == "RESTRICTIVE" and p.roles == [reader] for p in reader_policies)


def _scope_statements(engine):
    """The set_config statements of the center scope sent on this engine, recorded as they go out."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "syncstatus.center_ids" in statement:
            sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    return sent, lambda: sa.event.remove(engine, "before_cursor_execute", record)


def test_the_scope_is_sent_once_per_transaction_and_again_in_the_next(rls_db):
    _, pages, ids, _ = rls_db
    sent, stop = _scope_statements(pages)
    try:
        with pages.connect() as conn:
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
        with pages.connect() as conn:                        # the pooled connection again, a new transaction
            with access.rls_scope(conn, [ids["C2"]]):
                assert conn.execute(COUNT).scalar() == DOCUMENTS["C2"]
        assert len(sent) == 4
    finally:
        stop()


def test_center_lists_go_to_postgresql_as_one_array_text_and_still_filter(rls_db):
    engine, _, ids, _ = rls_db
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


# --- the page statement timeout (PAGE_QUERY_TIMEOUT_SECONDS) ---------------------------------------------------


def test_a_page_statement_past_the_timeout_is_cancelled_in_the_server(rls_db, monkeypatch):
    engine, _, ids, _ = rls_db
    monkeypatch.setenv("PAGE_QUERY_TIMEOUT_SECONDS", "1")
    pages = db.create_db_engine(engine.url.render_as_string(hide_password=False), for_pages=True)
    tag = f"syncstatus-timeout-{uuid.uuid4().hex[:8]}"
    try:
        started = time.monotonic()
        with pages.connect() as conn, pytest.raises(sa.exc.OperationalError) as caught:
            conn.execute(sa.text(f"SELECT pg_sleep(20) /* {tag} */"))   # a tag this test generated
        assert db.is_timeout(caught.value)
        assert time.monotonic() - started < 10
        with engine.connect() as conn:   # no backend is still running it
            running = conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE state = 'active' AND query LIKE :q AND pid <> pg_backend_pid()"),
                {"q": f"%{tag}%"}).scalar()
        assert running == 0
    finally:
        pages.dispose()


# --- planner statistics after an import --------------------------------------------------------------------------


def test_an_import_leaves_planner_statistics_for_every_table_it_fills(pg_server_url, demo_bundle):
    from syncstatus import ingest

    url = create_pg_database(pg_server_url, "syncstatus_stats")
    engine = db.create_db_engine(url)
    try:
        db.upgrade(engine)
        with engine.begin() as conn:   # no autovacuum ANALYZE behind the test's back: only the import's own
            for table in schema.metadata.sorted_tables:
                conn.execute(sa.text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)'))  # our names
        assert ingest.import_bundle(engine, demo_bundle).status == "succeeded"
        with engine.connect() as conn:
            filled = {t.name for t in schema.metadata.sorted_tables
                      if conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()}
            with_statistics = set(conn.execute(sa.text(
                "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()")).scalars())
        assert "sync_document" in filled and "sale_order" in filled
        assert filled - with_statistics == set()
    finally:
        engine.dispose()
        drop_pg_database(pg_server_url, url)
