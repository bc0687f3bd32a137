"""Who is looking, and which centers they may see. Every query over center data takes these center ids.

Accounts (`app_user`) sign in with a password (argon2 hash) or through Streamlit's single sign-on, matched
by email. The role decides the scope: an admin sees every center, a zone-level user the centers of their
zones (`user_scope.zone_id`), a center-level user their own centers (`user_scope.center_id`).
On PostgreSQL, row-level security enforces the same scope inside the database for pages, which run as the
database's reader role: see `open_page_session`, `apply_rls_scope` and docs/SECURITY.md.
"""

from __future__ import annotations

import getpass
import math
import os
import re
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from syncstatus import audit, schema, sql
from syncstatus.db import PAGE_SESSION_KEY, DatabaseUnavailable, is_postgres, reader_role_name, utcnow
from syncstatus.wording import plural

ROLES = schema.ROLES
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
# Failures after the third wait 0.5 s, then 1 s, then 2 s (the cap) before the answer.
DELAY_AFTER_FAILURES = 3
MAX_DELAY_SECONDS = 2.0
WRONG_CREDENTIALS = "Wrong username or password."
DISABLED = "This account is disabled; ask an administrator."
DEMO_PASSWORDS = {"admin": "demo-admin", "zone": "demo-zone", "center": "demo-center"}

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


class AccessError(ValueError):
    """A user-management request cannot be done; the message says why and is fit to show."""


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str  # admin | zone | center
    display_name: str
    center_ids: tuple[int, ...]
    scope_label: str = ""  # "Organization admin" / "Zone level: North (8 centers)" / "Center level: Lakeside Spa"
    email: str | None = None
    via_sso: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def level(self) -> str:
        """Organization level (several centers) or center level (one center)."""
        return "center" if self.role == "center" and len(self.center_ids) == 1 else "organization"


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    viewer: Viewer | None
    message: str
    # For the audit log only, never shown:
    # signed_in | wrong_password | lockout_started | unknown_user | locked | disabled.
    reason: str = ""


def all_center_ids(bind: sa.Engine | sa.Connection) -> tuple[int, ...]:
    df = sql.frame(bind, "access_all_centers")
    return tuple(int(x) for x in df["id"])


# --- validation and passwords -----------------------------------------------------------------


def normalize_username(username: str | None) -> str:
    return (username or "").strip().lower()


def validate_username(username: str | None) -> str:
    name = normalize_username(username)
    if not _USERNAME.match(name):
        raise AccessError("A username has 2 to 100 characters: letters, digits, '.', '_', '-' or '@', "
                          "starting with a letter or digit.")
    return name


def validate_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    value = email.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise AccessError(f"{email.strip()!r} is not an email address (like name@example.com).")
    return value


def validate_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < 8:
        raise AccessError("A password needs at least 8 characters.")
    if len(password) > 256:
        raise AccessError("A password may have at most 256 characters.")
    if not password.strip():
        raise AccessError("A password cannot be only spaces.")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    # Without a hash (single-sign-on-only account) still spend the same time, so timing tells nothing.
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(os.urandom(16).hex())


def failure_delay(failures: int) -> float:
    """Seconds to wait after the n-th consecutive failed sign-in: none up to the third, then doubling to a cap."""
    if failures <= DELAY_AFTER_FAILURES:
        return 0.0
    return min(MAX_DELAY_SECONDS, 0.5 * 2 ** (failures - DELAY_AFTER_FAILURES - 1))


def lockout_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return f"Too many failed sign-ins; try again in {plural(minutes, 'minute')}."


def scope_label(role: str, names: list[str], centers: int) -> str:
    """How the account box names a viewer's scope."""
    if role == "admin":
        return "Organization admin"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    counted = plural(centers, 'center')
    if role == "zone":
        return f"Zone level: {shown or 'no zone'} ({counted})"
    return f"Center level: {shown}" if centers == 1 and len(names) == 1 else f"Center level: {shown or 'no center'} ({counted})"


def _as_datetime(value) -> datetime | None:
    # text() queries hand back SQLite timestamps as strings.
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _slug(code: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", code.strip().lower()).strip("-") or "x"


# --- viewers ----------------------------------------------------------------------------------


def _user_row(conn: sa.Connection, username: str):
    return sql.execute(conn, "access_user_by_username", username=username).mappings().first()


def _require_user(conn: sa.Connection, username: str):
    row = _user_row(conn, normalize_username(username))
    if row is None:
        raise AccessError(f"There is no user {normalize_username(username)!r}.")
    return row


def _viewer(conn: sa.Connection, row) -> Viewer:
    role = row["role"]
    if role == "admin":
        ids = all_center_ids(conn)
        names: list[str] = []
    else:
        ids = tuple(int(x) for x in sql.execute(conn, "access_user_center_ids", user_id=row["id"]).scalars())
        names = [s["name"] for s in sql.execute(conn, "access_user_scopes", user_id=row["id"]).mappings()
                 if s["kind"] == role]
    return Viewer(row["username"], role, row["display_name"] or row["username"], ids,
                  scope_label(role, names, len(ids)), row["email"])


def viewer_for(engine: sa.Engine | sa.Connection, username: str) -> Viewer:
    """The viewer of an active account, with the center ids its scope allows (admin: every center)."""
    with _connection(engine) as conn:
        row = _require_user(conn, username)
        if not row["active"]:
            raise AccessError(f"User {row['username']!r} is disabled.")
        return _viewer(conn, row)


def viewer_for_email(engine: sa.Engine, email: str | None) -> Viewer | None:
    """The viewer of the one active account with this email (single sign-on), or None."""
    value = (email or "").strip().lower()
    if not value:
        return None
    with engine.connect() as conn:
        rows = [r for r in sql.execute(conn, "access_users_by_email", email=value).mappings() if r["active"]]
        if len(rows) != 1:
            return None
        return _viewer(conn, _user_row(conn, rows[0]["username"]))


@contextmanager
def _connection(bind: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    if isinstance(bind, sa.Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


# --- signing in -------------------------------------------------------------------------------


class _UnknownUserFailures:
    """Failed sign-ins for usernames that do not exist, counted like real ones (in this process), so the
    answers (wrong credentials, then the lockout message) do not tell an attacker which accounts exist."""

    def __init__(self, max_entries: int = 10_000):
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()
        self._max = max_entries

    def locked_until(self, name: str, now: datetime) -> datetime | None:
        with self._lock:
            _, until = self._entries.get(name, (0, None))
        return until if until and until > now else None

    def fail(self, name: str, now: datetime) -> tuple[int, datetime | None]:
        with self._lock:
            failures, until = self._entries.pop(name, (0, None))
            if until is not None and until <= now:
                failures, until = 0, None
            failures += 1
            if failures >= MAX_FAILURES:
                until = now + LOCKOUT
            self._entries[name] = (failures, until)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
            return failures, until

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_unknown_failures = _UnknownUserFailures()


def authenticate(engine: sa.Engine, username: str, password: str, now: datetime | None = None,
                 sleep: Callable[[float], None] | None = None) -> AuthResult:
    """Check a username and password; count failures, lock after five for 15 minutes, slow down repeats.

    The message never says whether the account exists. `now` (naive UTC) and `sleep` are injectable for tests.
    """
    now = now or utcnow()
    sleep = sleep or time.sleep
    name = normalize_username(username)
    with engine.begin() as conn:
        # The account's row stays locked until this attempt commits: checking the lock, the password and counting
        # a failure are one step, so simultaneous attempts cannot all be checked before any of them is counted.
        row = sql.execute(conn, "access_user_for_sign_in", username=name).mappings().first() if name else None
        if row is None:
            result, failures = _unknown_user(name, password, now)
        else:
            result, failures = _known_user(conn, row, password, now)
    delay = failure_delay(failures)
    if delay:
        sleep(delay)
    return result


def _unknown_user(name: str, password: str, now: datetime) -> tuple[AuthResult, int]:
    locked = _unknown_failures.locked_until(name, now)
    if locked:
        return AuthResult(False, None, lockout_message(locked, now), "locked"), 0
    verify_password(None, password)
    failures, until = _unknown_failures.fail(name, now)
    message = lockout_message(until, now) if until else WRONG_CREDENTIALS
    return AuthResult(False, None, message, "unknown_user"), failures


def _known_user(conn: sa.Connection, row, password: str, now: datetime) -> tuple[AuthResult, int]:
    locked_until = _as_datetime(row["locked_until"])
    if locked_until and locked_until > now:
        return AuthResult(False, None, lockout_message(locked_until, now), "locked"), 0
    if not verify_password(row["password_hash"], password):
        if locked_until is not None:  # an expired lock: count afresh
            sql.execute(conn, "access_clear_failures", user_id=row["id"])
        failures = int(sql.execute(conn, "access_count_failure", user_id=row["id"]).scalar_one())
        if failures >= MAX_FAILURES:
            until = now + LOCKOUT
            sql.execute(conn, "access_lock_user", user_id=row["id"], locked_until=until)
            return AuthResult(False, None, lockout_message(until, now), "lockout_started"), failures
        return AuthResult(False, None, WRONG_CREDENTIALS, "wrong_password"), failures
    if not row["active"]:
        return AuthResult(False, None, DISABLED, "disabled"), 0
    if _hasher.check_needs_rehash(row["password_hash"]):
        sql.execute(conn, "access_set_password", user_id=row["id"], password_hash=hash_password(password))
    elif row["failed_attempts"] or locked_until is not None:
        sql.execute(conn, "access_clear_failures", user_id=row["id"])
    return AuthResult(True, _viewer(conn, row), "", "signed_in"), 0


# --- managing users ---------------------------------------------------------------------------


def _codes(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return sorted({v.strip() for v in values if v and v.strip()})


def _ids_by_code(conn: sa.Connection, query: str, codes: list[str], what: str) -> list[int]:
    if not codes:
        return []
    found = {r["code"].lower(): int(r["id"])
             for r in sql.execute(conn, query, codes=[c.lower() for c in codes]).mappings()}
    missing = [c for c in codes if c.lower() not in found]
    if missing:
        raise AccessError(f"Unknown {what} code{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    return sorted({found[c.lower()] for c in codes})


def create_user(engine: sa.Engine, username: str, password: str | None, role: str, zones: Iterable[str] = (),
                centers: Iterable[str] = (), email: str | None = None, display_name: str | None = None,
                by: str | None = None) -> int:
    """Create an account; zones and centers are given as codes. `password=None`: single sign-on only.

    Returns the new user's id; raises AccessError with a message fit to show when the request is invalid.
    """
    name = validate_username(username)
    if role not in ROLES:
        raise AccessError(f"The role must be one of {', '.join(ROLES)}; got {role!r}.")
    zone_codes, center_codes = _codes(zones), _codes(centers)
    if role == "admin" and (zone_codes or center_codes):
        raise AccessError("An admin sees every center: give no zones or centers.")
    if role == "zone" and (not zone_codes or center_codes):
        raise AccessError("A zone-level user needs at least one zone (and no centers).")
    if role == "center" and (not center_codes or zone_codes):
        raise AccessError("A center-level user needs at least one center (and no zones).")
    email = validate_email(email)
    display_name = (display_name or "").strip()[:200] or None
    password_hash = None if password is None else hash_password(validate_password(password))
    try:
        with engine.begin() as conn:
            if _user_row(conn, name) is not None:
                raise AccessError(f"User {name!r} already exists.")
            if email:
                owner = sql.execute(conn, "access_users_by_email", email=email).mappings().first()
                if owner is not None:
                    raise AccessError(f"The email {email} already belongs to user {owner['username']!r}.")
            zone_ids = _ids_by_code(conn, "access_zone_ids_by_code", zone_codes, "zone")
            center_ids = _ids_by_code(conn, "access_center_ids_by_code", center_codes, "center")
            sql.execute(conn, "access_insert_user", username=name, email=email, display_name=display_name,
                        role=role, password_hash=password_hash, created_at=utcnow())
            user_id = int(_user_row(conn, name)["id"])
            for zone_id in zone_ids:
                sql.execute(conn, "access_insert_scope", user_id=user_id, zone_id=zone_id, center_id=None)
            for center_id in center_ids:
                sql.execute(conn, "access_insert_scope", user_id=user_id, zone_id=None, center_id=center_id)
            audit.record(conn, by, "user_change", {"change": "create", "user": name, "role": role,
                                                   "zones": zone_codes, "centers": center_codes, "email": email})
    except sa.exc.IntegrityError:  # created concurrently
        raise AccessError(f"User {name!r} already exists.") from None
    return user_id


def set_password(engine: sa.Engine, username: str, password: str, by: str | None = None) -> None:
    """Replace a password; also lifts a lockout."""
    password_hash = hash_password(validate_password(password))
    with engine.begin() as conn:
        row = _require_user(conn, username)
        sql.execute(conn, "access_set_password", user_id=row["id"], password_hash=password_hash)
        audit.record(conn, by, "user_change", {"change": "set_password", "user": row["username"]})


def _set_active(engine: sa.Engine, username: str, active: bool, by: str | None) -> None:
    with engine.begin() as conn:
        row = _require_user(conn, username)
        sql.execute(conn, "access_set_active", user_id=row["id"], active=active)
        audit.record(conn, by, "user_change", {"change": "enable" if active else "disable", "user": row["username"]})


def disable_user(engine: sa.Engine, username: str, by: str | None = None) -> None:
    """The account can no longer sign in (its history stays); signed-in sessions end within a minute."""
    _set_active(engine, username, False, by)


def enable_user(engine: sa.Engine, username: str, by: str | None = None) -> None:
    _set_active(engine, username, True, by)


USER_COLUMNS = ["username", "role", "scope", "email", "display_name", "active", "locked_until", "created_at"]


def list_users(engine: sa.Engine) -> pd.DataFrame:
    """Every account with its scope as codes; never the password hash."""
    with engine.connect() as conn:
        users = sql.frame(conn, "access_list_users")
        scopes = sql.frame(conn, "access_all_scopes")
    by_user: dict[int, list[str]] = {}
    for s in scopes.itertuples():
        by_user.setdefault(int(s.user_id), []).append(f"{s.kind} {s.code}")
    users["scope"] = [", ".join(by_user.get(int(i), [])) or ("all centers" if r == "admin" else "")
                      for i, r in zip(users["id"], users["role"], strict=True)]
    users["active"] = users["active"].astype(bool)
    return users[USER_COLUMNS]


# --- demo accounts and settings ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str
    display_name: str
    zones: tuple[str, ...] = ()
    centers: tuple[str, ...] = ()


def demo_accounts(engine: sa.Engine) -> list[DemoAccount]:
    """The demo sign-ins: admin, a zone-level user for the first zone, a center-level user for the first center."""
    with engine.connect() as conn:
        zone = sql.execute(conn, "access_first_zone").mappings().first()
        center = sql.execute(conn, "access_first_center").mappings().first()
    out = [DemoAccount("admin", DEMO_PASSWORDS["admin"], "admin", "all centers", "Demo administrator")]
    if zone is not None:
        out.append(DemoAccount(f"zone.{_slug(zone['code'])}", DEMO_PASSWORDS["zone"], "zone", f"zone {zone['name']}",
                               f"Demo zone manager ({zone['name']})", zones=(zone["code"],)))
    if center is not None:
        out.append(DemoAccount(f"center.{_slug(center['code'])}", DEMO_PASSWORDS["center"], "center",
                               f"center {center['name']}", f"Demo accountant ({center['name']})",
                               centers=(center["code"],)))
    return out


def create_demo_users(engine: sa.Engine) -> list[tuple[str, str, str, str]]:
    """Create the demo accounts that are missing and mark the database as a demo; safe to call again.

    Returns (username, password, role, scope description) for the caller to print. Existing accounts are
    left as they are.
    """
    accounts = demo_accounts(engine)
    for a in accounts:
        try:
            create_user(engine, a.username, a.password, a.role, zones=a.zones, centers=a.centers,
                        display_name=a.display_name, by="demo")
        except AccessError:
            if not _exists(engine, a.username):
                raise
    mark_demo_database(engine)
    return [(a.username, a.password, a.role, a.scope) for a in accounts]


def _exists(engine: sa.Engine, username: str) -> bool:
    with engine.connect() as conn:
        return _user_row(conn, username) is not None


def get_setting(engine: sa.Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return sql.execute(conn, "access_get_setting", key=key).scalar()


def put_setting(engine: sa.Engine, key: str, value: str) -> None:
    with engine.begin() as conn:
        sql.execute(conn, "access_put_setting", key=key, value=value)


def is_demo_database(engine: sa.Engine) -> bool:
    return (get_setting(engine, "demo") or "").strip().lower() == "true"


def mark_demo_database(engine: sa.Engine) -> None:
    put_setting(engine, "demo", "true")


# --- row-level security on PostgreSQL ---------------------------------------------------------


# The tables that statements with :center_ids read, which the reader role may SELECT (and nothing else):
# tests/db/test_rls.py checks the list against the query files.
READER_TABLES = ("zone", "center", "import_run", "import_center", *schema.CENTER_TABLES)
# The one reader role for the whole server of earlier versions; migration 7 takes its rights away.
SHARED_READER_ROLE = "syncstatus_reader"

_SCOPE_KEY = "syncstatus_rls_scope"   # conn.info: (weak reference to the transaction, the centers it has set)


def _run(conn: sa.Connection, name: str, **params) -> sa.CursorResult:
    return sql.execute_as_is(conn, name, **params)


def reader_role(conn: sa.Connection) -> str | None:
    """The reader role a page session runs as (db.create_db_engine(for_pages=True)), or None: a plain engine (the
    importer, migrations, the command line, the schedule runner) or SQLite."""
    return conn.info.get(PAGE_SESSION_KEY) if is_postgres(conn) else None


def open_page_session(engine: sa.Engine, dbapi_conn, timeout_ms: int) -> str:
    """Make a new PostgreSQL connection a page session: the reader role and the statement timeout for the whole
    session. Returns the role. Raises DatabaseUnavailable, fit to show, when the login role may not use it (the
    database was not upgraded, or the dashboard logs in as another role than the one that ran the migrations)."""
    cursor = dbapi_conn.cursor()
    try:
        database = _raw(engine, cursor, "access_current_database").fetchone()[0]
        role = reader_role_name(database)
        try:
            _raw(engine, cursor, "access_page_session", role=role, timeout_ms=str(max(0, int(timeout_ms))))
        except engine.dialect.loaded_dbapi.Error:
            dbapi_conn.rollback()
            raise DatabaseUnavailable(
                f"its pages run as the role {role}, which this login role may not use; run "
                "`python -m syncstatus db upgrade` as the login role the dashboard uses") from None
        dbapi_conn.commit()   # session-level settings made in a transaction last only if it commits
    finally:
        cursor.close()
    return role


def _raw(engine: sa.Engine, cursor, name: str, **params):
    """Run a query file on a DB-API cursor (a connection being set up, before SQLAlchemy wraps it)."""
    compiled = sql.statement(name, engine.dialect.name, params).compile(dialect=engine.dialect)
    cursor.execute(str(compiled), compiled.construct_params(params))
    return cursor


def apply_rls_scope(conn: sa.Connection, center_ids: Iterable[int]) -> bool:
    """Set this transaction's center scope for row-level security. No-op on SQLite. Returns True when the statements
    run as the reader role (a page session), which the scope confines; the login role (a plain engine) bypasses it.

    Needs a transaction (SQLAlchemy's default): the setting is transaction-local.
    """
    if not is_postgres(conn):
        return False
    csv = ",".join(str(c) for c in sorted({int(c) for c in center_ids}))
    txn = conn.get_transaction()
    held = conn.info.get(_SCOPE_KEY)
    if (txn is None or held is None or held[0]() is not txn or held[1] != csv
            or conn.in_nested_transaction()):   # a savepoint's rollback would undo the setting
        _run(conn, "access_set_scope", csv=csv)
        # The setting lasts until this transaction ends: the page's next statements with the same centers need
        # not send it again (a round trip each). Keyed on the transaction object itself (a weak reference), so a
        # new transaction on the same pooled connection always sets it afresh.
        txn = conn.get_transaction()
        if txn is not None:
            conn.info[_SCOPE_KEY] = (weakref.ref(txn), csv)
    return reader_role(conn) is not None


@contextmanager
def rls_scope(conn: sa.Connection, center_ids: Iterable[int]) -> Iterator[None]:
    """Run a statement under the scope of these centers (a page session is the reader role already)."""
    apply_rls_scope(conn, center_ids)
    yield


@contextmanager
def login_role(conn: sa.Connection) -> Iterator[None]:
    """In a page session, run one statement as the login role (SET LOCAL ROLE NONE), then back to the reader: for
    statements without :center_ids, which write (sign-in, audit, schedules, deliveries) or compute a viewer's centers.
    Elsewhere a no-op. After an error the role is not switched back: PostgreSQL has aborted the transaction (or
    the savepoint), and its rollback undoes the switch."""
    role = reader_role(conn)
    if role is None:
        yield
        return
    _run(conn, "access_reset_role")
    yield
    _run(conn, "access_set_role", role=role)


def install_row_level_security(conn: sa.Connection) -> None:
    """Migrations 2 and 7 on PostgreSQL: this database's reader role, its SELECT grants and the policies on every
    center table. Idempotent: a later migration that adds tables calls it again."""
    role = reader_role_name(_run(conn, "access_current_database").scalar_one())
    _run(conn, "access_rls_reader_function")
    _run(conn, "access_rls_reader_role", role=role)
    _run(conn, "access_rls_scope_function")
    _run(conn, "access_rls_grant_function")
    scoped = {name: "center_id" for name in schema.CENTER_TABLES} | {"center": "id"}
    for table in schema.metadata.sorted_tables:
        _run(conn, "access_rls_grant", role=role, table_name=table.name, scope_column=scoped.get(table.name, ""),
             readable=table.name in READER_TABLES)


def retire_shared_reader_role(conn: sa.Connection) -> None:
    """Migration 7 on PostgreSQL: the server-wide role of earlier versions loses its rights in this database."""
    _run(conn, "access_rls_retire_shared_role")


# --- command line: python -m syncstatus users ... ---------------------------------------------


def register_cli(subparsers) -> None:
    users = subparsers.add_parser("users", help="sign-in accounts")
    sub = users.add_subparsers(dest="users_command", required=True)

    add = sub.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--zone", action="append", default=[], metavar="CODE", help="zone code (zone role; repeatable)")
    add.add_argument("--center", action="append", default=[], metavar="CODE",
                     help="center code (center role; repeatable)")
    add.add_argument("--email", help="email address (single sign-on matches accounts by it)")
    add.add_argument("--name", dest="display_name", help="display name")
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    how.add_argument("--no-password", action="store_true", help="single sign-on only: no password sign-in")
    add.set_defaults(func=_cmd_add)

    setp = sub.add_parser("set-password", help="replace a password (also lifts a lockout)")
    setp.add_argument("username")
    setp.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    setp.set_defaults(func=_cmd_set_password)

    dis = sub.add_parser("disable", help="stop an account from signing in")
    dis.add_argument("username")
    dis.set_defaults(func=_cmd_disable)

    ena = sub.add_parser("enable", help="let a disabled account sign in again")
    ena.add_argument("username")
    ena.set_defaults(func=_cmd_enable)

    sub.add_parser("list", help="list accounts and their scopes").set_defaults(func=_cmd_list)


def _cli_engine() -> sa.Engine:
    from syncstatus import db
    from syncstatus.config import load_settings

    engine = db.create_db_engine(load_settings().database_url)
    db.check_connection(engine)
    db.upgrade(engine)
    return engine


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise AccessError("The two passwords differ.")
    return first


def _cli(action: Callable[[], str]) -> int:
    try:
        print(action())
    except AccessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_add(args) -> int:
    def run() -> str:
        password = None if args.no_password else validate_password(_read_password(args.password_stdin))
        engine = _cli_engine()
        create_user(engine, args.username, password, args.role, zones=args.zone, centers=args.center,
                    email=args.email, display_name=args.display_name, by="cli")
        return f"created {args.role} user {normalize_username(args.username)}: {viewer_for(engine, args.username).scope_label}"

    return _cli(run)


def _cmd_set_password(args) -> int:
    def run() -> str:
        password = validate_password(_read_password(args.password_stdin))
        set_password(_cli_engine(), args.username, password, by="cli")
        return f"password of {normalize_username(args.username)} replaced"

    return _cli(run)


def _cmd_disable(args) -> int:
    def run() -> str:
        disable_user(_cli_engine(), args.username, by="cli")
        return f"{normalize_username(args.username)} disabled"

    return _cli(run)


def _cmd_enable(args) -> int:
    def run() -> str:
        enable_user(_cli_engine(), args.username, by="cli")
        return f"{normalize_username(args.username)} enabled"

    return _cli(run)


def _cmd_list(args) -> int:
    def run() -> str:
        users = list_users(_cli_engine())
        return "no users yet" if users.empty else users.fillna("").to_string(index=False)

    return _cli(run)
