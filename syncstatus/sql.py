"""The query loader: one parameterized statement per file in queries/, bound by name, never assembled.

`queries/name.sql` is portable; a `queries/name.postgresql.sql` beside it wins on PostgreSQL.
A list written `IN :center_ids` is bound as an expanding parameter (one placeholder per value); written
`= ANY(:center_ids)` (PostgreSQL files) it is bound as one array, which keeps a 1,000-center statement
as cheap to parse and plan as a one-center one.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from syncstatus.db import PAGE_SESSION_KEY

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_NAME = re.compile(r"^[a-z0-9_]+$")


class UnknownQuery(LookupError):
    pass


@cache
def _read(name: str, dialect: str) -> str:
    if not _NAME.match(name):
        raise UnknownQuery(f"query name {name!r} is not of the form [a-z0-9_]+")
    specific = QUERIES_DIR / f"{name}.{dialect}.sql"
    path = specific if specific.exists() else QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise UnknownQuery(f"no query file queries/{name}.sql")
    return path.read_text(encoding="utf-8")


@cache
def _statement(name: str, dialect: str, lists: frozenset[str]) -> sa.TextClause:
    text = _read(name, dialect)
    stmt = sa.text(text)
    expanding = [p for p in sorted(lists) if re.search(rf"\bIN\s*:{p}\b", text, re.IGNORECASE)]
    if expanding:
        stmt = stmt.bindparams(*(sa.bindparam(p, expanding=True) for p in expanding))
    return stmt


def _lists(params: dict[str, Any]) -> frozenset[str]:
    """The names of the parameters that hold lists."""
    return frozenset(k for k, v in params.items() if isinstance(v, (list, tuple, set, frozenset)))


def statement(name: str, dialect: str, params: dict[str, Any]) -> sa.TextClause:
    return _statement(name, dialect, _lists(params))


def _prepare(params: dict[str, Any]) -> dict[str, Any]:
    # Expanding binds need a sequence; an empty list must still match nothing rather than error.
    out = {}
    for k, v in params.items():
        if isinstance(v, (set, frozenset)):
            v = sorted(v)
        out[k] = list(v) if isinstance(v, (list, tuple)) else v
    return out


@cache
def _array_binds(name: str, dialect: str, lists: frozenset[str]) -> frozenset[str]:
    """The list parameters bound as one array (not expanding) in a statement."""
    return lists - {b.key for b in _statement(name, dialect, lists)._bindparams.values() if b.expanding}


def array_literal(values: list) -> str | None:
    """A list of integers as PostgreSQL's array input text ('{1,2,3}'), or None for any other list.

    Still a bound value, typed by its place in the statement (`= ANY(:ids)`, `CAST(:ids AS bigint[])`): the
    driver sends one short string instead of adapting a thousand Python ints one by one, which costs more than
    the query itself for a one-document lookup scoped to 1,000 centers (about 1-3 ms)."""
    if not all(type(v) is int for v in values):   # not bool, not str: only what int() renders as digits
        return None
    return "{" + ",".join(map(str, values)) + "}"


def execute(conn: Connection, name: str, **params: Any) -> sa.CursorResult:
    """Run queries/name.sql. In a page session on PostgreSQL (db.create_db_engine(for_pages=True)), a query over
    center data runs as the reader role under the row-level security scope of its :center_ids (a second line behind
    the SQL filter), and any other query as the login role, for that one statement (see docs/SECURITY.md)."""
    if conn.dialect.name != "postgresql" or PAGE_SESSION_KEY not in conn.info:
        return execute_as_is(conn, name, **params)
    from syncstatus.access import login_role, rls_scope  # late import: access imports this module

    with rls_scope(conn, params["center_ids"]) if "center_ids" in params else login_role(conn):
        return execute_as_is(conn, name, **params)


def execute_as_is(conn: Connection, name: str, **params: Any) -> sa.CursorResult:
    """Run queries/name.sql as the connection's current role, whatever the session."""
    dialect, lists = conn.dialect.name, _lists(params)
    stmt, bound = _statement(name, dialect, lists), _prepare(params)
    if dialect == "postgresql" and lists:
        for k in _array_binds(name, dialect, lists):
            text = array_literal(bound[k])
            if text is not None:
                bound[k] = text
    return conn.execute(stmt, bound)


def frame(bind: Connection | Engine, name: str, **params: Any) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame with the statement's column names."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return frame(conn, name, **params)
    result = execute(bind, name, **params)
    # Plain tuples: given SQLAlchemy Row objects, pandas probes each row's attributes (two failed lookups per
    # row, each raising inside SQLAlchemy), which cost more than the query itself at a thousand rows.
    return pd.DataFrame(list(map(tuple, result.fetchall())), columns=list(result.keys()))


def query_names() -> list[str]:
    return sorted({p.name.split(".")[0] for p in QUERIES_DIR.glob("*.sql")})
