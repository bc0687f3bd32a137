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
    return db.create_db_engine(url)


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
        result = _run(database_url(), f"{fn.__module__}.{fn.__qualname__}", *args, **kwargs)
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
