"""Sign-in: the password form, single sign-on (Streamlit's OIDC, matched to an account by email), and the
account box in the sidebar.

The viewer lives in session state for the session and is re-read from the database once a minute, so a
disabled account or a changed scope takes effect without waiting for the user to sign out.
The form signs in from its submit callback: the password leaves session state before the page runs, and
the page that was asked for (with its query parameters) renders in the same run.
"""

from __future__ import annotations

import time
from dataclasses import replace

import sqlalchemy as sa
import streamlit as st

from syncstatus import access, audit
from syncstatus.access import Viewer
from syncstatus.ui import data
from syncstatus.ui.state import StateKeys
from syncstatus.ui.tables import escape_markdown

TITLE = "Sign in to syncstatus"
RECHECK_SECONDS = 60.0


def require_viewer(engine: sa.Engine) -> Viewer:
    """The signed-in viewer; otherwise draw the sign-in screen and stop the script."""
    viewer = st.session_state.get(StateKeys.VIEWER)
    if viewer is not None:
        viewer = _recheck(engine, viewer)
        if viewer is not None:
            return viewer
    if oidc_configured() and st.user.get("is_logged_in", False):
        return _single_sign_on(engine)
    _sign_in_form(engine)
    st.stop()


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (Streamlit's OIDC sign-in)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all, or one that does not parse
        return False


def _remember(viewer: Viewer) -> None:
    st.session_state[StateKeys.VIEWER] = viewer
    st.session_state[StateKeys.VIEWER_CHECKED_AT] = time.monotonic()


def _recheck(engine: sa.Engine, viewer: Viewer) -> Viewer | None:
    checked = st.session_state.setdefault(StateKeys.VIEWER_CHECKED_AT, time.monotonic())
    if time.monotonic() - checked < RECHECK_SECONDS:
        return viewer
    try:
        fresh = replace(access.viewer_for(engine, viewer.username), via_sso=viewer.via_sso)
    except access.AccessError:
        st.session_state.pop(StateKeys.VIEWER, None)
        st.session_state[StateKeys.SIGNIN_ERROR] = "Your session has ended: the account was disabled."
        return None
    _remember(fresh)
    return fresh


def _single_sign_on(engine: sa.Engine) -> Viewer:
    email = st.user.get("email") or ""
    viewer = access.viewer_for_email(engine, email)
    if viewer is None:
        audit.record(engine, None, "sign_in_failed", {"method": "sso", "reason": "no_account", "email": email})
        st.title(TITLE)
        st.error(f"Your account {escape_markdown(email)} has no access; ask an administrator.")
        st.button("Sign out", key=StateKeys.SIGN_OUT, on_click=st.logout)
        st.stop()
    viewer = replace(viewer, via_sso=True)
    _remember(viewer)
    audit.record(engine, viewer.username, "sign_in", {"method": "sso"})
    return viewer


def demo_hint(accounts: list[access.DemoAccount]) -> str:
    pairs = ", ".join(f"{a.username} / {a.password}" for a in accounts)
    return f"This is a demo database: sign in as {pairs}."


def _sign_in_form(engine: sa.Engine) -> None:
    st.title(TITLE)
    if access.is_demo_database(engine):
        st.info(demo_hint(access.demo_accounts(engine)), icon=":material/info:")
    error = st.session_state.pop(StateKeys.SIGNIN_ERROR, None)
    if error:
        st.error(error)
    with st.form(StateKeys.SIGNIN_FORM, width=420):
        st.text_input("Username", key=StateKeys.SIGNIN_USERNAME, autocomplete="username")
        st.text_input("Password", type="password", key=StateKeys.SIGNIN_PASSWORD, autocomplete="current-password")
        st.form_submit_button("Sign in", type="primary", on_click=_submit, args=(engine,))
    if oidc_configured():
        st.button("Sign in with single sign-on", key=StateKeys.SIGNIN_SSO, icon=":material/key:", on_click=st.login)


def _submit(engine: sa.Engine) -> None:
    username = st.session_state.get(StateKeys.SIGNIN_USERNAME, "")
    password = st.session_state.get(StateKeys.SIGNIN_PASSWORD, "")
    st.session_state[StateKeys.SIGNIN_PASSWORD] = ""
    result = access.authenticate(engine, username, password)
    if result.ok:
        _remember(result.viewer)
        st.session_state[StateKeys.JUST_SIGNED_IN] = True
        audit.record(engine, result.viewer.username, "sign_in", {"method": "password"})
        return
    st.session_state[StateKeys.SIGNIN_ERROR] = result.message
    audit.record(engine, _loggable_username(username), "sign_in_failed", {"method": "password", "reason": result.reason})


def _loggable_username(username: str) -> str:
    # Someone who types their password into the username field must not find it in the audit log.
    try:
        return access.validate_username(username)
    except access.AccessError:
        return "(not a valid username)"


def account_box(viewer: Viewer) -> None:
    """Who is signed in, with which scope, and the Sign out button."""
    st.caption(f"Signed in as **{escape_markdown(viewer.display_name)}** ({escape_markdown(viewer.username)})")
    st.caption(escape_markdown(viewer.scope_label or viewer.role))  # zone and center names come from the data
    st.button("Sign out", key=StateKeys.SIGN_OUT, icon=":material/logout:", on_click=_sign_out,
              args=(viewer.username, viewer.via_sso))


def _sign_out(username: str, via_sso: bool) -> None:
    audit.record(data.engine(), username, "sign_out")
    # Everything this user had in the session goes: the next person at this browser starts clean.
    st.session_state.clear()
    if via_sso:
        st.logout()
