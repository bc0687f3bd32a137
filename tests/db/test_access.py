"""Accounts, sign-in, lockout, scopes and the audit log, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import threading
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from syncstatus import access, audit, cli
from syncstatus.access import AccessError
from syncstatus.schema import app_user, audit_event, center, metadata, zone

T0 = datetime(2026, 11, 20, 9, 0, 0)
PASSWORD = "lakeside-secret-1"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Cheap argon2 parameters: the tests check behaviour, not the cost (the unit tests use the real one)."""
    monkeypatch.setattr(access, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    access._dummy_hash.cache_clear()
    access._unknown_failures.clear()
    yield
    access._dummy_hash.cache_clear()


@pytest.fixture
def org(engine):
    """Zones North (C1, C2) and South (C3), plus an empty zone East; returns center ids by code."""
    with engine.begin() as conn:
        conn.execute(zone.insert(), [dict(code="N", name="North"), dict(code="S", name="South"),
                                     dict(code="E", name="East")])
        zones = dict(conn.execute(sa.select(zone.c.code, zone.c.id)).all())
        conn.execute(center.insert(), [
            dict(code="C1", name="Lakeside Spa", zone_id=zones["N"], platform="qbo"),
            dict(code="C2", name="Harbor Salon", zone_id=zones["N"], platform="xero"),
            dict(code="C3", name="Hill Clinic", zone_id=zones["S"], platform="intacct"),
        ])
        return dict(conn.execute(sa.select(center.c.code, center.c.id)).all())


def sign_in(engine, username, password, now=T0, delays=None):
    return access.authenticate(engine, username, password, now=now,
                               sleep=(delays.append if delays is not None else lambda s: None))


def user_row(engine, username):
    with engine.connect() as conn:
        return conn.execute(sa.select(app_user).where(app_user.c.username == username)).mappings().one()


# --- passwords and sign-in ----------------------------------------------------------------------


def test_the_stored_password_is_an_argon2_hash_and_signs_in(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    stored = user_row(engine, "ana")["password_hash"]
    assert stored != PASSWORD and stored.startswith("$argon2id$")
    result = sign_in(engine, "ana", PASSWORD)
    assert result.ok and result.message == "" and result.viewer.username == "ana"


def test_usernames_sign_in_without_regard_to_case_or_spaces(engine, org):
    access.create_user(engine, "Ana", PASSWORD, "center", centers=["C1"])
    assert sign_in(engine, "  ANA ", PASSWORD).ok


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    wrong = sign_in(engine, "ana", "not-the-password")
    unknown = sign_in(engine, "nobody", PASSWORD)
    assert (wrong.ok, wrong.viewer, wrong.message) == (unknown.ok, unknown.viewer, unknown.message) == \
        (False, None, "Wrong username or password.")


def test_five_failures_lock_the_account_for_fifteen_minutes(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    for _ in range(4):
        assert sign_in(engine, "ana", "wrong-password").message == access.WRONG_CREDENTIALS
    fifth = sign_in(engine, "ana", "wrong-password")
    assert fifth.message == "Too many failed sign-ins; try again in 15 minutes."
    # Even the right password is refused while locked, and says how long is left.
    locked = sign_in(engine, "ana", PASSWORD, now=T0 + timedelta(minutes=1))
    assert not locked.ok and locked.message == "Too many failed sign-ins; try again in 14 minutes."
    assert sign_in(engine, "ana", PASSWORD, now=T0 + timedelta(minutes=15)).ok
    row = user_row(engine, "ana")
    assert row["failed_attempts"] == 0 and row["locked_until"] is None


def test_after_a_lock_expires_the_count_starts_again(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    for _ in range(5):
        sign_in(engine, "ana", "wrong-password")
    later = T0 + timedelta(minutes=16)
    assert sign_in(engine, "ana", "wrong-password", now=later).message == access.WRONG_CREDENTIALS
    assert user_row(engine, "ana")["failed_attempts"] == 1


def test_unknown_usernames_lock_too_so_the_lockout_reveals_nothing(engine, org):
    answers = [sign_in(engine, "ghost", "whatever-1").message for _ in range(5)]
    assert answers == [access.WRONG_CREDENTIALS] * 4 + ["Too many failed sign-ins; try again in 15 minutes."]


def test_a_success_resets_the_consecutive_failures(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    for _ in range(4):
        sign_in(engine, "ana", "wrong-password")
    assert sign_in(engine, "ana", PASSWORD).ok
    for _ in range(4):
        assert sign_in(engine, "ana", "wrong-password").message == access.WRONG_CREDENTIALS


def test_failures_after_the_third_wait_longer_each_time(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    delays: list[float] = []
    for _ in range(5):
        sign_in(engine, "ana", "wrong-password", delays=delays)
    assert delays == [0.5, 1.0]
    unknown: list[float] = []
    for _ in range(5):
        sign_in(engine, "ghost", "wrong-password", delays=unknown)
    assert unknown == delays


@pytest.fixture
def slow_checks(monkeypatch):
    """Each password check of an account takes 50 ms, as the real argon2 does, so simultaneous attempts overlap;
    returns the list of checks made."""
    checked: list[str] = []
    real = access.verify_password

    def slow(password_hash, password):
        checked.append(password)
        time.sleep(0.05)
        return real(password_hash, password)

    monkeypatch.setattr(access, "verify_password", slow)
    return checked


def simultaneously(count, attempt):
    """Run attempt(i) in `count` threads released at the same instant; returns their results in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        barrier.wait()
        results[i] = attempt(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_simultaneous_wrong_passwords_below_the_limit_each_count_once(engine, org, slow_checks):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    answers = simultaneously(4, lambda i: sign_in(engine, "ana", f"wrong-password-{i}"))
    assert [a.reason for a in answers] == ["wrong_password"] * 4
    row = user_row(engine, "ana")
    assert (row["failed_attempts"], row["locked_until"], len(slow_checks)) == (4, None, 4)


def test_twenty_simultaneous_wrong_passwords_check_five_and_lock(engine, org, slow_checks):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    answers = simultaneously(20, lambda i: sign_in(engine, "ana", f"wrong-password-{i}"))
    reasons = sorted(a.reason for a in answers)
    assert reasons == sorted(["wrong_password"] * 4 + ["lockout_started"] + ["locked"] * 15)
    assert len(slow_checks) == access.MAX_FAILURES   # no password is checked once the account is locked
    row = user_row(engine, "ana")
    assert row["failed_attempts"] == access.MAX_FAILURES and row["locked_until"] is not None
    after = sign_in(engine, "ana", PASSWORD, now=T0 + timedelta(minutes=1))
    assert not after.ok and after.reason == "locked"


def test_the_right_password_among_simultaneous_wrong_ones_is_refused_once_locked(engine, org, slow_checks):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    # Attempts 0-9 wrong, 10-14 right, all at once: each right one is accepted only if the account was not yet
    # locked when it was checked, and a success resets the count (so the lock needs five wrong ones after it).
    answers = simultaneously(15, lambda i: sign_in(engine, "ana", PASSWORD if i >= 10 else f"wrong-password-{i}"))
    order = [p == PASSWORD for p in slow_checks]       # the checks in the order the row lock let them happen
    failures, accepted = 0, 0
    for right in order:
        if right:
            failures, accepted = 0, accepted + 1
        else:
            failures += 1
        assert failures <= access.MAX_FAILURES
    assert accepted == sum(a.ok for a in answers)
    if failures == access.MAX_FAILURES:
        assert not sign_in(engine, "ana", PASSWORD, now=T0 + timedelta(minutes=1)).ok


def test_a_disabled_user_cannot_sign_in_until_enabled(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    access.disable_user(engine, "ana")
    refused = sign_in(engine, "ana", PASSWORD)
    assert not refused.ok and refused.viewer is None
    assert refused.message == "This account is disabled; ask an administrator."
    assert sign_in(engine, "ana", "wrong-password").message == access.WRONG_CREDENTIALS
    with pytest.raises(AccessError, match="disabled"):
        access.viewer_for(engine, "ana")
    access.enable_user(engine, "ana")
    assert sign_in(engine, "ana", PASSWORD).ok


def test_set_password_replaces_the_old_one_and_lifts_a_lockout(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    for _ in range(5):
        sign_in(engine, "ana", "wrong-password")
    access.set_password(engine, "ana", "brand-new-secret")
    assert not sign_in(engine, "ana", PASSWORD).ok
    assert sign_in(engine, "ana", "brand-new-secret").ok


def test_a_single_sign_on_account_has_no_password_to_guess(engine, org):
    access.create_user(engine, "ana", None, "center", centers=["C1"], email="ana@example.com")
    assert user_row(engine, "ana")["password_hash"] is None
    assert sign_in(engine, "ana", "").message == access.WRONG_CREDENTIALS


def test_an_old_hash_is_upgraded_at_the_next_sign_in(engine, org, monkeypatch):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    weak = user_row(engine, "ana")["password_hash"]
    monkeypatch.setattr(access, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert sign_in(engine, "ana", PASSWORD).ok
    stronger = user_row(engine, "ana")["password_hash"]
    assert stronger != weak and "m=2048,t=2" in stronger


# --- scopes -------------------------------------------------------------------------------------


def test_a_zone_user_sees_exactly_the_centers_of_their_zones(engine, org):
    access.create_user(engine, "nora", PASSWORD, "zone", zones=["N"])
    viewer = access.viewer_for(engine, "nora")
    assert viewer.center_ids == (org["C1"], org["C2"])
    assert viewer.scope_label == "Zone level: North (2 centers)"
    assert viewer.level == "organization" and not viewer.is_admin
    access.create_user(engine, "two", PASSWORD, "zone", zones=["n", "S"])  # codes match regardless of case
    assert access.viewer_for(engine, "two").center_ids == tuple(sorted(org.values()))


def test_a_center_user_sees_exactly_their_centers(engine, org):
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C3"], display_name="Ana Lima")
    viewer = access.viewer_for(engine, "ana")
    assert viewer.center_ids == (org["C3"],)
    assert (viewer.display_name, viewer.scope_label, viewer.level) == ("Ana Lima", "Center level: Hill Clinic", "center")
    access.create_user(engine, "bo", PASSWORD, "center", centers=["C1", "C3"])
    assert access.viewer_for(engine, "bo").center_ids == (org["C1"], org["C3"])


def test_an_admin_sees_every_center_including_new_ones(engine, org):
    access.create_user(engine, "root", PASSWORD, "admin")
    viewer = sign_in(engine, "root", PASSWORD).viewer
    assert viewer.is_admin and viewer.center_ids == tuple(sorted(org.values()))
    assert viewer.scope_label == "Organization admin"
    with engine.begin() as conn:
        east = conn.execute(sa.select(zone.c.id).where(zone.c.code == "E")).scalar_one()
        conn.execute(center.insert().values(code="C4", name="New", zone_id=east, platform="qbo"))
    assert len(access.viewer_for(engine, "root").center_ids) == 4


def test_a_zone_without_centers_gives_an_empty_scope(engine, org):
    access.create_user(engine, "eve", PASSWORD, "zone", zones=["E"])
    viewer = access.viewer_for(engine, "eve")
    assert viewer.center_ids == () and viewer.scope_label == "Zone level: East (0 centers)"


@pytest.mark.parametrize("kwargs, message", [
    (dict(username="ana", role="zone", zones=["X9"]), "Unknown zone code: X9."),
    (dict(username="ana", role="center", centers=["C1", "Q1", "Q2"]), "Unknown center codes: Q1, Q2."),
    (dict(username="ana", role="admin", zones=["N"]), "An admin sees every center"),
    (dict(username="ana", role="zone"), "A zone-level user needs at least one zone"),
    (dict(username="ana", role="zone", zones=["N"], centers=["C1"]), "A zone-level user needs at least one zone"),
    (dict(username="ana", role="center"), "A center-level user needs at least one center"),
    (dict(username="ana", role="owner"), "The role must be one of admin, zone, center"),
    (dict(username="a b", role="admin"), "A username has 2 to 100 characters"),
    (dict(username="ana", role="admin", email="nope"), "is not an email address"),
])
def test_an_invalid_account_is_refused_with_a_clear_message(engine, org, kwargs, message):
    with pytest.raises(AccessError, match=message.replace(".", r"\.")):
        access.create_user(engine, password=PASSWORD, **kwargs)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(app_user)).scalar() == 0


def test_usernames_and_emails_are_unique(engine, org):
    access.create_user(engine, "ana", PASSWORD, "admin", email="ana@example.com")
    with pytest.raises(AccessError, match="User 'ana' already exists."):
        access.create_user(engine, "ANA", PASSWORD, "admin")
    with pytest.raises(AccessError, match="already belongs to user 'ana'"):
        access.create_user(engine, "bo", PASSWORD, "admin", email="Ana@Example.com")


def test_managing_an_unknown_user_says_so(engine, org):
    for change in (access.disable_user, access.enable_user):
        with pytest.raises(AccessError, match="There is no user 'ghost'."):
            change(engine, "ghost")
    with pytest.raises(AccessError, match="There is no user 'ghost'."):
        access.set_password(engine, "ghost", "some-password")


def test_single_sign_on_finds_the_active_account_by_email(engine, org):
    access.create_user(engine, "ana", None, "center", centers=["C1"], email="ana@example.com")
    viewer = access.viewer_for_email(engine, "ANA@example.com ")
    assert viewer.username == "ana" and viewer.center_ids == (org["C1"],)
    assert access.viewer_for_email(engine, "bo@example.com") is None
    assert access.viewer_for_email(engine, "") is None
    access.disable_user(engine, "ana")
    assert access.viewer_for_email(engine, "ana@example.com") is None


def test_the_user_list_shows_scopes_and_no_hashes(engine, org):
    access.create_user(engine, "root", PASSWORD, "admin")
    access.create_user(engine, "nora", PASSWORD, "zone", zones=["N", "S"], email="nora@example.com")
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"])
    access.disable_user(engine, "ana")
    users = access.list_users(engine)
    assert list(users.columns) == access.USER_COLUMNS
    assert "password_hash" not in users.columns
    rows = users.set_index("username")
    assert rows.loc["root", "scope"] == "all centers"
    assert rows.loc["nora", "scope"] == "zone N, zone S"
    assert rows.loc["ana", "scope"] == "center C1" and not rows.loc["ana", "active"]


# --- nothing in clear text ----------------------------------------------------------------------


def text_values(engine) -> list[str]:
    """Every non-null value of every table, as text."""
    out = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                out.extend(str(v) for v in row if v is not None)
    return out


def test_no_table_ever_holds_a_clear_text_password(engine, org):
    secrets = [PASSWORD, "a-wrong-guess-77", "the-replacement-99"]
    access.create_user(engine, "ana", PASSWORD, "center", centers=["C1"], email="ana@example.com")
    assert sign_in(engine, "ana", PASSWORD).ok
    audit.record(engine, "ana", "sign_in", {"method": "password"})
    assert not sign_in(engine, "ana", "a-wrong-guess-77").ok
    audit.record(engine, "ana", "sign_in_failed", {"method": "password", "password": "a-wrong-guess-77"})
    access.set_password(engine, "ana", "the-replacement-99")
    audit.record(engine, "admin", "user_change", {"user": "ana", "new_password": "the-replacement-99"})
    values = text_values(engine)
    assert any("$argon2" in v for v in values)  # the scan does see app_user
    leaks = [v for v in values for s in secrets if s in v]
    assert leaks == []


# --- audit log ----------------------------------------------------------------------------------


def test_user_changes_are_audited_with_who_did_them(engine, org):
    access.create_user(engine, "nora", PASSWORD, "zone", zones=["N"], by="root")
    access.set_password(engine, "nora", "another-password", by="root")
    access.disable_user(engine, "nora", by="root")
    events = audit.recent(engine, action="user_change")
    assert list(events["username"]) == ["root"] * 3
    assert [d.split('"change": ')[1].split('"')[1] for d in events["detail"]] == ["disable", "set_password", "create"]


def test_recent_events_come_newest_first_filtered_and_limited(engine):
    for i in range(5):
        audit.record(engine, f"user{i}", "sign_in" if i % 2 == 0 else "export", {"n": i}, at=T0 + timedelta(minutes=i))
    everything = audit.recent(engine)
    assert list(everything.columns) == audit.COLUMNS
    assert list(everything["username"]) == ["user4", "user3", "user2", "user1", "user0"]
    assert list(audit.recent(engine, limit=2)["username"]) == ["user4", "user3"]
    assert list(audit.recent(engine, action="export")["username"]) == ["user3", "user1"]
    assert audit.recent(engine, action="email_sent").empty
    assert everything["at"].iloc[0] == T0 + timedelta(minutes=4)


def test_an_audit_record_joins_the_callers_transaction(engine):
    with pytest.raises(RuntimeError), engine.begin() as conn:
        audit.record(conn, "ana", "export", "12 rows")
        raise RuntimeError("the export failed")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_event)).scalar() == 0


# --- demo accounts and settings -----------------------------------------------------------------


def test_demo_users_are_created_once_and_mark_the_database(engine, org):
    assert not access.is_demo_database(engine)
    first = access.create_demo_users(engine)
    assert [(u, p, r) for u, p, r, _ in first] == [
        ("admin", "demo-admin", "admin"), ("zone.n", "demo-zone", "zone"), ("center.c1", "demo-center", "center")]
    assert access.create_demo_users(engine) == first
    assert access.is_demo_database(engine)
    assert len(access.list_users(engine)) == 3
    for username, password, _, _ in first:
        assert sign_in(engine, username, password).ok
    assert access.viewer_for(engine, "zone.n").center_ids == (org["C1"], org["C2"])
    assert access.viewer_for(engine, "center.c1").center_ids == (org["C1"],)


def test_demo_users_leave_an_existing_account_alone(engine, org):
    access.create_user(engine, "admin", "my-own-password", "admin")
    access.create_demo_users(engine)
    assert sign_in(engine, "admin", "my-own-password").ok


def test_settings_are_replaced_not_duplicated(engine):
    access.put_setting(engine, "demo", "false")
    access.put_setting(engine, "demo", "true")
    assert access.get_setting(engine, "demo") == "true" and access.is_demo_database(engine)
    assert access.get_setting(engine, "missing") is None


# --- row-level security hooks -------------------------------------------------------------------


def test_the_rls_scope_is_set_on_postgresql_and_a_no_op_on_sqlite(engine):
    with engine.connect() as conn:
        assert access.apply_rls_scope(conn, {3, 1, 2}) is False   # a plain engine: the login role, every row
        if conn.dialect.name == "postgresql":
            assert conn.execute(sa.text("SELECT current_setting('syncstatus.center_ids', true)")).scalar() == "1,2,3"


def test_the_migration_installs_row_level_security_only_on_postgresql(engine):
    with engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            assert conn.execute(sa.text("SELECT version FROM schema_migration ORDER BY version")).scalars().all()[:2] == [1, 2]
            return
        guarded = conn.execute(sa.text("SELECT relname FROM pg_class WHERE relrowsecurity")).scalars().all()
    assert sorted(guarded) == sorted(["center", *access.schema.CENTER_TABLES])


# --- command line -------------------------------------------------------------------------------


def run_cli(monkeypatch, engine, argv, stdin=""):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(argv)


def test_the_users_command_adds_lists_changes_and_disables(engine, org, monkeypatch, capsys):
    assert run_cli(monkeypatch, engine, ["users", "add", "nora", "--role", "zone", "--zone", "N",
                                         "--email", "nora@example.com", "--password-stdin"],
                   stdin="cli-password-1\n") == 0
    assert "created zone user nora: Zone level: North (2 centers)" in capsys.readouterr().out
    assert sign_in(engine, "nora", "cli-password-1").ok

    assert run_cli(monkeypatch, engine, ["users", "set-password", "nora", "--password-stdin"],
                   stdin="cli-password-2\n") == 0
    assert sign_in(engine, "nora", "cli-password-2").ok

    assert run_cli(monkeypatch, engine, ["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nora" in listing and "zone N" in listing
    assert "argon2" not in listing and "cli-password" not in listing

    assert run_cli(monkeypatch, engine, ["users", "disable", "nora"]) == 0
    assert sign_in(engine, "nora", "cli-password-2").message == access.DISABLED
    assert "cli" in set(audit.recent(engine, action="user_change")["username"])


def test_the_users_command_explains_a_refusal(engine, org, monkeypatch, capsys):
    assert run_cli(monkeypatch, engine, ["users", "add", "ana", "--role", "center", "--center", "Z9",
                                         "--password-stdin"], stdin="long-enough-1\n") == 1
    assert capsys.readouterr().err.strip() == "error: Unknown center code: Z9."
    assert run_cli(monkeypatch, engine, ["users", "add", "ana", "--role", "admin", "--password-stdin"],
                   stdin="short\n") == 1
    assert "at least 8 characters" in capsys.readouterr().err
