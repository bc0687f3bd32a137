"""A database error in the middle of a page run shows the plain message, never the statement, its parameters or
a traceback with server paths (docs/SECURITY.md). The real cut, on PostgreSQL, is in
tests/reliability/test_database_faults.py; here the entrypoint's own guard, for statements outside a cached query."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import texts


def page_that_fails(kind: str) -> None:
    import sqlalchemy as sa
    import streamlit as st

    from syncstatus.ui.setup import run_page

    class Page:  # what st.navigation returns: run() executes the page
        def run(self):
            st.title("Half a page")
            raise getattr(sa.exc, kind)(
                "SELECT password_hash FROM app_user WHERE center_id IN (%(center_ids)s)",
                {"center_ids": "4711-secret-param"},
                Exception("server closed the connection unexpectedly\nLINE 1: SELECT password_hash"))

    run_page(Page())


@pytest.mark.parametrize("kind, reason", [
    ("OperationalError", "cannot reach PostgreSQL at db.example:5432/syncstatus: server closed the connection"),
    ("ProgrammingError", "PostgreSQL at db.example:5432/syncstatus failed to answer (ProgrammingError)"),
])
def test_a_database_error_mid_page_shows_the_plain_message_and_nothing_of_the_statement(monkeypatch, kind, reason):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:pw@db.example:5432/syncstatus")
    at = AppTest.from_function(page_that_fails, args=(kind,), default_timeout=30)
    at.run()
    assert not at.exception, "a database error must not reach the page as a traceback"
    shown = texts(at)
    assert "The dashboard cannot reach its database" in shown and reason in shown
    for leak in ("password_hash", "4711-secret-param", "SELECT", "LINE 1", "Traceback", ".py", "pw@"):
        assert leak not in shown, f"the message shows {leak!r}: {shown}"
    assert at.button(key="retry_database") is not None
