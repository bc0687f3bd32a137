"""The audit log: who signed in (or failed to), exported, emailed, or changed schedules and users, and when.

`detail` is a short text or a dict stored as JSON. Values under keys that name a secret (password, token,
hash, secret, credential) are replaced by "[redacted]" before anything is written, so a caller that passes
a form's whole content by mistake still stores no password.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from syncstatus import sql
from syncstatus.db import utcnow

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "export", "email_sent", "schedule_change", "user_change")
COLUMNS = ["at", "username", "action", "detail"]
REDACTED = "[redacted]"
MAX_DETAIL_CHARS = 4000
_SECRET_KEY = re.compile(r"pass|secret|token|hash|credential", re.IGNORECASE)


def redact(value: Any) -> Any:
    """A copy of a dict/list structure with every value under a secret-looking key replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def detail_text(detail: str | dict | None) -> str | None:
    if detail is None:
        return None
    text = json.dumps(redact(detail), sort_keys=True, default=str) if isinstance(detail, dict) else str(detail)
    return text[:MAX_DETAIL_CHARS]


def record(bind: sa.Engine | sa.Connection, username: str | None, action: str, detail: str | dict | None = None,
           at: datetime | None = None) -> None:
    """Append one event. With a Connection it joins the caller's transaction (so it commits or rolls back
    with the change it describes); with an Engine it commits on its own."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    params = dict(at=at or utcnow(), username=(username or None) and username[:100], action=action,
                  detail=detail_text(detail))
    if isinstance(bind, sa.Engine):
        with bind.begin() as conn:
            sql.execute(conn, "audit_insert", **params)
    else:
        sql.execute(bind, "audit_insert", **params)


def recent(engine: sa.Engine, limit: int = 200, action: str | None = None) -> pd.DataFrame:
    """The newest events first, optionally of one action; columns at, username, action, detail."""
    limit = max(1, int(limit))
    if action:
        df = sql.frame(engine, "audit_recent_by_action", action=action, limit=limit)
    else:
        df = sql.frame(engine, "audit_recent", limit=limit)
    df["at"] = pd.to_datetime(df["at"])
    return df[COLUMNS]
