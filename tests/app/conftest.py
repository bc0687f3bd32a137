"""AppTest fixtures: pages run against the demo database, signed in as a chosen demo user."""

from __future__ import annotations

import re
import string

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def demo_url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def app_db(request, demo_engine, monkeypatch):
    """DATABASE_URL pointed at the demo database (SQLite and PostgreSQL), demo users present."""
    try:
        from syncstatus.access import create_demo_users

        create_demo_users(demo_engine)
    except ImportError:
        pass
    monkeypatch.setenv("DATABASE_URL", demo_url(demo_engine))
    return demo_engine


def open_page(name: str, *, as_user: str | None = "admin", params: dict | None = None, timeout: int = 60) -> AppTest:
    """Open pages/<name>.py through the entrypoint, already signed in as a demo user (viewer in session state)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    if as_user is not None:
        from syncstatus.access import viewer_for
        from syncstatus.config import load_settings
        from syncstatus.db import create_db_engine
        from syncstatus.ui.state import StateKeys

        engine = create_db_engine(load_settings().database_url)
        at.session_state[StateKeys.VIEWER] = viewer_for(engine, as_user)
        engine.dispose()
    at.run()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.switch_page(f"pages/{name}.py").run()


_ESCAPED = re.compile("\\\\([" + re.escape(string.punctuation) + "])")


def rendered(markdown: str) -> str:
    """The text a markdown body shows for a value escaped by tables.escape_markdown (AppTest gives the source)."""
    return _ESCAPED.sub(r"\1", str(markdown)).replace("\u2060", "")


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(rendered(e.value) for e in getattr(at, kind))
    return "\n".join(parts)
