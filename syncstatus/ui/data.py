"""Cached access to the database for pages: one engine per process, results cached per filters and viewer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
import streamlit as st

from syncstatus import db
from syncstatus.config import load_settings
from syncstatus.ui.state import StateKeys

T = TypeVar("T")


def database_url() -> str:
    return load_settings().database_url


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> sa.Engine:
    # Page sessions: on PostgreSQL the reader role under row-level security, and the page statement timeout.
    return db.create_db_engine(url, for_pages=True)


def took_too_long() -> str:
    seconds = load_settings().page_query_timeout_seconds
    unit = "second" if seconds == 1 else "seconds"
    return (f"This took too long: the database stopped it after {seconds} {unit}. Choose fewer centers or a "
            "shorter period and try again; if it keeps happening, tell your administrator.")


def engine() -> sa.Engine:
    return _engine_for(database_url())


def cache_ttl() -> int:
    return load_settings().cache_ttl_seconds


def cached(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache a core data function `fn(engine, *args)` keyed on the database URL and the other arguments.

    Callers pass the viewer's center ids as a sorted tuple, so one user's cache never serves another's.
    """

    @st.cache_data(ttl=cache_ttl(), show_spinner=False, max_entries=256)
    def _run(url: str, name: str, *args: Any, **kwargs: Any):
        return fn(_engine_for(url), *args, **kwargs)

    def call(*args: Any, **kwargs: Any) -> T:
        try:
            result = _run(database_url(), f"{fn.__module__}.{fn.__qualname__}", *args, **kwargs)
        except sa.exc.DBAPIError as exc:
            if not db.is_timeout(exc):  # PAGE_QUERY_TIMEOUT_SECONDS: the server has cancelled the statement
                raise
            st.error(took_too_long(), icon=":material/hourglass_disabled:")
            st.stop()
        st.session_state.setdefault(StateKeys.DATA_AS_OF, datetime.now().replace(microsecond=0))
        return result

    call.__wrapped__ = fn  # type: ignore[attr-defined]
    return call


def refresh() -> None:
    """Re-read the database: clear cached results and restamp 'data as of'."""
    st.cache_data.clear()
    st.session_state[StateKeys.DATA_AS_OF] = datetime.now().replace(microsecond=0)


def data_as_of() -> datetime | None:
    return st.session_state.get(StateKeys.DATA_AS_OF)
