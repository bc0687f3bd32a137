"""Signing in as a user does it (AppTest over pages/audit.py on a small SQLite database).

AppTest runs pages/audit.py as its own entrypoint, so the sidebar's st.page_link targets (pages/*.py
relative to the entrypoint) cannot resolve there; the `sidebar_links` fixture records them instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from syncstatus import access, audit, db
from syncstatus.schema import center, metadata, zone
from syncstatus.ui.state import StateKeys
from tests.app.conftest import rendered

ROOT = Path(__file__).resolve().parent.parent.parent
AUDIT_PAGE = str(ROOT / "pages" / "audit.py")
ADMIN_PASSWORD = "admin-secret-1"
CENTER_PASSWORD = "center-secret-1"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def sidebar_links(monkeypatch):
    links: list[str] = []
    monkeypatch.setattr(st, "page_link", lambda page, **kw: links.append(kw.get("label", str(page))))
    return links


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr(access, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    access._dummy_hash.cache_clear()
    access._unknown_failures.clear()
    yield
    access._dummy_hash.cache_clear()


def build_db(tmp_path: Path, monkeypatch, demo: bool = False) -> sa.Engine:
    url = f"sqlite:///{tmp_path / 'signin.db'}"
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        zone_id = conn.execute(zone.insert().values(code="N", name="North").returning(zone.c.id)).scalar_one()
        conn.execute(center.insert(), [dict(code="C1", name="Lakeside Spa", zone_id=zone_id, platform="qbo"),
                                       dict(code="C2", name="Harbor Salon", zone_id=zone_id, platform="xero")])
    access.create_user(engine, "root", ADMIN_PASSWORD, "admin", display_name="Rita Root", email="rita@example.com")
    access.create_user(engine, "ana", CENTER_PASSWORD, "center", centers=["C1"], email="ana@example.com")
    if demo:
        access.create_demo_users(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    return engine


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    engine = build_db(tmp_path, monkeypatch)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    engine = build_db(tmp_path, monkeypatch, demo=True)
    yield engine
    engine.dispose()


def open_audit_page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(AUDIT_PAGE, default_timeout=30)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def submit(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key=StateKeys.SIGNIN_USERNAME).input(username)
    at.text_input(key=StateKeys.SIGNIN_PASSWORD).input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def shown(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def test_a_visitor_sees_only_the_sign_in_form(app_db, sidebar_links):
    at = open_audit_page()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to syncstatus"]
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert len(at.dataframe) == 0 and len(at.selectbox) == 0 and len(at.sidebar) == 0
    assert sidebar_links == []
    assert "Audit Log" not in shown(at) and "demo" not in shown(at).lower()


def test_a_wrong_password_shows_the_error_and_keeps_the_form(app_db):
    at = submit(open_audit_page(), "root", "not-the-password")
    assert not at.exception
    assert [e.value for e in at.error] == ["Wrong username or password."]
    assert [t.value for t in at.title] == ["Sign in to syncstatus"]
    assert at.session_state[StateKeys.SIGNIN_PASSWORD] == ""  # the password does not stay in the session
    assert submit(at, "nobody", ADMIN_PASSWORD).error[0].value == "Wrong username or password."


def test_the_right_password_renders_the_requested_page_with_its_query_params(app_db, sidebar_links):
    at = submit(open_audit_page(params={"action": "sign_in"}), "root", ADMIN_PASSWORD)
    assert not at.exception
    assert [t.value for t in at.title] == ["Audit Log"]
    assert at.query_params["action"] == "sign_in"  # the deep link survives signing in
    assert "Audit Log" in sidebar_links
    assert "Signed in as **Rita Root** (root)" in shown(at) and "Organization admin" in shown(at)
    events = at.dataframe[0].value
    assert list(events["action"][:1]) == ["sign_in"] and list(events["username"][:1]) == ["root"]
    assert at.session_state[StateKeys.VIEWER].username == "root"


def test_sign_in_and_failure_are_audited_without_the_password(app_db):
    at = submit(open_audit_page(), "root", "typo-in-password")
    submit(at, "root", ADMIN_PASSWORD)
    events = audit.recent(app_db)
    assert list(events["action"][:2]) == ["sign_in", "sign_in_failed"]
    assert '"reason": "wrong_password"' in events["detail"].iloc[1]
    with app_db.connect() as conn:
        everything = [str(v) for t in metadata.sorted_tables for row in conn.execute(sa.select(t)) for v in row]
    assert not [v for v in everything if ADMIN_PASSWORD in v or "typo-in-password" in v]


def test_a_center_level_user_gets_the_admin_only_error(app_db, sidebar_links):
    at = submit(open_audit_page(), "ana", CENTER_PASSWORD)
    assert not at.exception
    assert [e.value for e in at.error] == ["This page is for organization administrators."]
    assert len(at.dataframe) == 0 and "Audit Log" not in sidebar_links


def account_box_script():
    from syncstatus.ui import data, signin

    signin.account_box(signin.require_viewer(data.engine()))


def test_the_account_box_names_a_center_level_scope(app_db):
    # The audit page stops a center-level user before the sidebar, so draw the account box on its own.
    at = AppTest.from_function(account_box_script, default_timeout=30)
    at.session_state[StateKeys.VIEWER] = access.viewer_for(app_db, "ana")
    at.run()
    assert not at.exception
    assert [rendered(c.value) for c in at.caption] == ["Signed in as **ana** (ana)", "Center level: Lakeside Spa"]
    assert [b.label for b in at.button] == ["Sign out"]


def test_sign_out_forgets_the_viewer_and_shows_the_form_again(app_db):
    at = submit(open_audit_page(), "root", ADMIN_PASSWORD)
    next(b for b in at.button if b.label == "Sign out").click()
    at.run()
    assert [t.value for t in at.title] == ["Sign in to syncstatus"]
    assert StateKeys.VIEWER not in at.session_state
    assert audit.recent(app_db, action="sign_out")["username"].tolist() == ["root"]


def test_a_disabled_account_is_signed_out_at_the_next_check(app_db, monkeypatch):
    at = submit(open_audit_page(), "root", ADMIN_PASSWORD)
    access.disable_user(app_db, "root")
    at.session_state[StateKeys.VIEWER_CHECKED_AT] = -1e9  # the last check was long ago
    at.run()
    assert [t.value for t in at.title] == ["Sign in to syncstatus"]
    assert [e.value for e in at.error] == ["Your session has ended: the account was disabled."]


def test_five_wrong_passwords_lock_the_account(app_db, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    at = open_audit_page()
    for _ in range(5):
        at = submit(at, "root", "wrong-password")
    assert at.error[0].value == "Too many failed sign-ins; try again in 15 minutes."
    assert submit(at, "root", ADMIN_PASSWORD).error[0].value.startswith("Too many failed sign-ins")


def test_the_demo_hint_is_shown_only_for_a_demo_database(demo_db):
    at = open_audit_page()
    hint = [i.value for i in at.info]
    assert hint == ["This is a demo database: sign in as admin / demo-admin, zone.n / demo-zone, "
                    "center.c1 / demo-center."]
    assert [t.value for t in submit(at, "admin", "demo-admin").title] == ["Audit Log"]


def test_single_sign_on_maps_the_email_to_an_account(app_db):
    at = AppTest.from_file(AUDIT_PAGE, default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": True, "email": "Rita@Example.com"}
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Audit Log"]
    assert at.session_state[StateKeys.VIEWER].via_sso
    assert audit.recent(app_db, action="sign_in")["detail"].tolist() == ['{"method": "sso"}']


def test_single_sign_on_without_an_account_says_so(app_db):
    at = AppTest.from_file(AUDIT_PAGE, default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert [rendered(e.value) for e in at.error] == [
        "Your account stranger@example.com has no access; ask an administrator."]
    assert len(at.dataframe) == 0 and [b.label for b in at.button] == ["Sign out"]


def test_with_single_sign_on_configured_the_form_offers_it(app_db):
    at = AppTest.from_file(AUDIT_PAGE, default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in", "Sign in with single sign-on"]


def test_the_audit_page_filters_by_action_and_offers_a_csv(app_db):
    at = submit(open_audit_page(), "root", ADMIN_PASSWORD)
    at.selectbox(key=StateKeys.AUDIT_ACTION).select("user_change").run()
    events = at.dataframe[0].value
    assert set(events["action"]) == {"user_change"} and len(events) == 2
    assert at.get("download_button")[0].proto.label == "Download CSV"
