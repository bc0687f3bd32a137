"""`python -m syncstatus ...`: database, import, demo data, users and schedules from the terminal."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from syncstatus.config import ConfigError, load_settings


def _engine():
    from syncstatus import db

    engine = db.create_db_engine(load_settings().database_url)
    db.check_connection(engine)
    return engine


def cmd_db_upgrade(args) -> int:
    from syncstatus import db

    engine = _engine()
    try:
        applied = db.upgrade(engine, echo=print)
    except sa.exc.ProgrammingError as exc:   # e.g. a login role that may not create the database's reader role
        diag = getattr(exc.orig, "diag", None)
        print(f"error: {getattr(diag, 'message_primary', None) or str(exc.orig).splitlines()[0]}", file=sys.stderr)
        if getattr(diag, "message_hint", None):
            print(f"hint: {diag.message_hint}", file=sys.stderr)
        return 2
    print(f"{db.describe_url(load_settings().database_url)}: schema at version {db.current_version(engine)}"
          + ("" if applied else " (already up to date)"))
    return 0


def cmd_import(args) -> int:
    from syncstatus import db, ingest

    engine = _engine()
    db.upgrade(engine)
    summary = ingest.import_bundle(engine, Path(args.path), progress=not args.quiet)
    print(summary.describe())
    return 0 if summary.status == "succeeded" else 1


def cmd_demo(args) -> int:
    from syncstatus import demo

    end = date.fromisoformat(args.end) if args.end else None
    out = demo.generate_bundle(Path(args.out), centers=args.centers, days=args.days, seed=args.seed, end_date=end)
    print(f"demo bundle written to {out}")
    return 0


def cmd_build_demo_db(args) -> int:
    from syncstatus import demo

    demo.build_demo_database(load_settings().database_url, force=args.force)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m syncstatus", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    dbp = sub.add_parser("db", help="database schema")
    dbsub = dbp.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="create or migrate the schema").set_defaults(func=cmd_db_upgrade)

    imp = sub.add_parser("import", help="validate and load a sync-log bundle (folder or .zip)")
    imp.add_argument("path")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import)

    dem = sub.add_parser("demo", help="write a deterministic demo bundle")
    dem.add_argument("--centers", type=int, default=24)
    dem.add_argument("--days", type=int, default=400)
    dem.add_argument("--seed", type=int, default=42)
    dem.add_argument("--end", help="last sync date, YYYY-MM-DD (default: yesterday)")
    dem.add_argument("--out", required=True)
    dem.set_defaults(func=cmd_demo)

    bd = sub.add_parser("build-demo-db", help="build the embedded demo database when it is missing")
    bd.add_argument("--force", action="store_true", help="rebuild even when it exists")
    bd.set_defaults(func=cmd_build_demo_db)

    # Further command groups register themselves here (users, schedules, scheduler).
    for register in _extensions():
        register(sub)
    return p


def _extensions():
    regs = []
    try:
        from syncstatus.access import register_cli as users_cli

        regs.append(users_cli)
    except ImportError:
        pass
    try:
        from syncstatus.schedules import register_cli as schedules_cli

        regs.append(schedules_cli)
    except ImportError:
        pass
    return regs


def main(argv: list[str] | None = None) -> int:
    from syncstatus.db import DatabaseUnavailable

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, DatabaseUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
