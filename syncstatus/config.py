"""Settings read from the environment, with defaults that make `make run` work out of the box."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SQLITE_PATH = DATA_DIR / "syncstatus.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_SQLITE_PATH}"


class ConfigError(ValueError):
    """A setting is present but unusable; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    smtp_url: str | None
    mail_from: str
    outbox_dir: Path
    cache_ttl_seconds: int
    stale_after_days: int
    public_base_url: str
    page_query_timeout_seconds: int = 30
    # Recipient domains email may go to (a domain also allows its subdomains); empty: any domain.
    mail_allowed_domains: tuple[str, ...] = ()
    # Emails one user (sender of Email now, owner of a schedule) may send per hour; 0: no limit.
    mail_rate_limit_per_hour: int = 100

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {value}")
    return value


def _domains_env(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name) or ""
    domains = tuple(dict.fromkeys(d.strip().lower().lstrip("@").rstrip(".") for d in raw.replace(";", ",").split(",")))
    domains = tuple(d for d in domains if d)
    bad = [d for d in domains if "." not in d or any(c.isspace() or c in "@/:" for c in d)]
    if bad:
        raise ConfigError(f"{name} lists domains separated by commas (example.com, corp.example.org); "
                          f"not a domain: {', '.join(repr(b) for b in bad)}")
    return domains


def normalize_database_url(url: str) -> str:
    """Accept the common spellings and make the driver explicit (psycopg 3 for PostgreSQL)."""
    url = url.strip()
    if not url:
        raise ConfigError("DATABASE_URL is empty; leave it unset for the embedded SQLite database")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not (url.startswith("sqlite") or url.startswith("postgresql+psycopg://")):
        scheme = url.split(":", 1)[0]
        raise ConfigError(
            f"DATABASE_URL scheme {scheme!r} is not supported; use sqlite:///path/to/file.db "
            "or postgresql://user@host:5432/dbname"
        )
    return url


def load_settings() -> Settings:
    return Settings(
        database_url=normalize_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        smtp_url=os.environ.get("SMTP_URL") or None,
        mail_from=os.environ.get("MAIL_FROM", "syncstatus@localhost"),
        outbox_dir=Path(os.environ.get("OUTBOX_DIR") or DATA_DIR / "outbox"),
        cache_ttl_seconds=_int_env("CACHE_TTL_SECONDS", 300),
        stale_after_days=_int_env("STALE_AFTER_DAYS", 2),
        public_base_url=os.environ.get("PUBLIC_BASE_URL", "http://localhost:8501"),
        page_query_timeout_seconds=_int_env("PAGE_QUERY_TIMEOUT_SECONDS", 30),
        mail_allowed_domains=_domains_env("MAIL_ALLOWED_DOMAINS"),
        mail_rate_limit_per_hour=_int_env("MAIL_RATE_LIMIT_PER_HOUR", 100),
    )
