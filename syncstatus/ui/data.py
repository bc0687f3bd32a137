"""Cached access to the database for pages: one engine per process, results cached per filters and viewer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
import streamlit as st

from syncstatus import db
from syncstatus.config import load_settings
from syncstatus.ui.state import StateKeys
from syncstatus.wording import plural

T = TypeVar("T")
_LOG = logging.getLogger(__name__)


def database_url() -> str:
    return load_settings().database_url


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> sa.Engine:
    # Page sessions: on PostgreSQL the reader role under row-level security, and the page statement timeout.
    return db.create_db_engine(url, for_pages=True)


def took_too_long() -> str:
    seconds = plural(load_settings().page_query_timeout_seconds, "second")
    return (f"This took too long: the database stopped it after {seconds}. Choose fewer centers or a "
            "shorter period and try again; if it keeps happening, tell your administrator.")


def engine() -> sa.Engine:
    return _engine_for(database_url())


def cache_ttl() -> int:
    return load_settings().cache_ttl_seconds


# What a data function loads, as its spinner names it; any other function is named after itself.
LOADING_NAMES = {"build": None, "load": None, "summary": "the overview", "center_directory": "your centers",
                 "failed_documents": "failed documents", "failed_references": "failed references"}


def loading_text(fn: Callable, args: tuple = (), what: str | None = None) -> str:
    """'Loading sale orders for 01 Oct 2026 – 20 Nov 2026…': the spinner of a data call slower than half a second.
    A `build`/`load` function is named after its module (sync_status.build: "sync status")."""
    name = fn.__name__
    if what is None:
        what = LOADING_NAMES.get(name, name.replace("_", " "))
        if what is None:
            what = fn.__module__.rsplit(".", 1)[-1].replace("_", " ")
    f = next((a for a in args if hasattr(a, "date_from") and hasattr(a, "date_to")), None)
    period = f" for {f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}" if f is not None else ""
    return f"Loading {what}{period}…"


def cached(fn: Callable[..., T], what: str | None = None) -> Callable[..., T]:
    """Cache a core data function `fn(engine, *args)` keyed on the database URL and the other arguments.

    Callers pass the viewer's center ids as a sorted tuple, so one user's cache never serves another's. A call
    slower than half a second shows a spinner naming what is loading (`what`, else named after `fn`); a cached
    result comes back before the spinner appears.
    """

    @st.cache_data(ttl=cache_ttl(), show_spinner=False, max_entries=256)
    def _run(url: str, name: str, *args: Any, **kwargs: Any):
        return fn(_engine_for(url), *args, **kwargs)

    def call(*args: Any, **kwargs: Any) -> T:
        with database_errors_shown_plainly(), st.spinner(loading_text(fn, args, what), show_time=True):
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


# --- database errors during a run ------------------------------------------------------------------

def database_unavailable(reason: str) -> None:
    """The one message a user sees when the database fails, before a page or in the middle of one; stops."""
    st.error(f"The dashboard cannot reach its database: {reason}. It will work again as soon as the "
             "database answers; use **Retry** or reload the page.", icon=":material/cloud_off:")
    st.button("Retry", key="retry_database")
    st.stop()


@contextmanager
def database_errors_shown_plainly() -> Iterator[None]:
    """A database error raised inside shows the plain message above and stops the run. A traceback would carry
    the SQL text, its bound parameters and server paths to whoever is looking; they go to the server log only."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        if isinstance(exc, sa.exc.DBAPIError) and db.is_timeout(exc):
            # PAGE_QUERY_TIMEOUT_SECONDS: the server has cancelled the statement
            st.error(took_too_long(), icon=":material/hourglass_disabled:")
            st.stop()
        _LOG.error("database error during a page run", exc_info=exc)
        database_unavailable(plain_database_error(exc))


def plain_database_error(exc: sa.exc.SQLAlchemyError) -> str:
    """'cannot reach PostgreSQL at host:port/db: <the driver's first line>' for a lost connection; for any other
    database error only its kind, since the driver's text may quote the statement or a value."""
    where = db.describe_url(database_url())
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
        first = (str(getattr(exc, "orig", None) or "").strip().splitlines() or [type(exc).__name__])[0]
        return f"cannot reach {where}: {first[:200]}"
    return f"{where} failed to answer ({type(exc).__name__})"
