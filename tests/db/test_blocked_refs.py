"""The blocked-references rollup (blocked_reference_day) answers trends_deleted_refs exactly as the walk it
replaced, on both databases: after a first import, after a second import that deletes an account, restores a
deleted item and changes document statuses, after a full rebuild, and when migration 6 builds it for a database
that already holds data.

The walk (the query before the rollup, both dialects) is kept as the reference in tests/db/sql/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from syncstatus import db as dbmod
from syncstatus import ingest, rollup, rollup_blocked, sql
from syncstatus.access import all_center_ids
from syncstatus.reports import trends
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import blocked_reference_day
from tests.conftest import DEMO_END

WALK_DIR = Path(__file__).resolve().parent / "sql"
RANGES = [
    (DEMO_END - timedelta(days=44), DEMO_END),
    (DEMO_END - timedelta(days=6), DEMO_END),
    (DEMO_END - timedelta(days=30), DEMO_END - timedelta(days=12)),
    (DEMO_END, DEMO_END),
    (DEMO_END - timedelta(days=400), DEMO_END + timedelta(days=30)),
]


def walk(conn, center_ids: list[int], date_from, date_to) -> pd.DataFrame:
    """The deleted-references walk trends_deleted_refs ran before the rollup (its PostgreSQL variant there)."""
    specific = WALK_DIR / f"trends_deleted_refs_walk.{conn.dialect.name}.sql"
    path = specific if specific.exists() else WALK_DIR / "trends_deleted_refs_walk.sql"
    stmt = sa.text(path.read_text())
    if conn.dialect.name != "postgresql":
        stmt = stmt.bindparams(sa.bindparam("center_ids", expanding=True))
    result = conn.execute(stmt, {"center_ids": list(center_ids), "date_from": date_from, "date_to": date_to})
    return pd.DataFrame(list(map(tuple, result.fetchall())), columns=list(result.keys()))


def rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(tuple(r) for r in frame.itertuples(index=False))


def check_against_walk(engine, subsets: list[list[int]]) -> int:
    """The new query's rows equal the walk's for every range and center subset; returns the blocked documents
    seen, so a caller can tell the comparison was not vacuous."""
    seen = 0
    with engine.connect() as conn:
        for ids in subsets:
            for d0, d1 in RANGES:
                new = sql.frame(conn, "trends_deleted_refs", center_ids=ids, date_from=d0, date_to=d1)
                old = walk(conn, ids, d0, d1)
                assert list(new.columns) == list(old.columns)
                assert rows(new) == rows(old), (ids, d0, d1)
                seen += int(new["failed_documents"].sum() + new["pending_documents"].sum())
    return seen


def rollup_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(blocked_reference_day)).all())


def subsets(engine) -> list[list[int]]:
    ids = all_center_ids(engine)
    return [list(ids), [ids[0]], ids[1::2], []]


def second_bundle(first: Path, out: Path) -> dict:
    """A later import: a referenced active account deleted, a deleted item restored, statuses changed (failed ->
    processed, processed -> failed, processed -> pending) on documents that reference deleted ones or not."""
    read = lambda name: pd.read_csv(first / name, dtype=str, keep_default_na=False)  # noqa: E731
    accounts, items, docs = read("accounts.csv"), read("items.csv"), read("documents.csv")
    lines = read("sale_order_lines.csv")
    out.mkdir()
    # an active account that sale order lines use, deleted in the platform now
    live = accounts[(accounts["active"] == "true") & (accounts["deleted_in_platform_at"] == "")]
    used = live[live.set_index(["center_code", "account_code"]).index.isin(
        lines.set_index(["center_code", "account_code"]).index)]
    gone = used.iloc[[0]].copy()
    gone["deleted_in_platform_at"] = f"{DEMO_END - timedelta(days=10)}T09:00:00"
    gone.to_csv(out / "accounts.csv", index=False)
    # a deleted item restored
    restored = items[items["deleted_in_platform_at"] != ""].iloc[[0]].copy()
    restored["deleted_in_platform_at"] = ""
    restored.to_csv(out / "items.csv", index=False)
    # statuses: every fifth failed document processed, every seventh processed one failed, every eleventh pending
    changed = docs.copy()
    failed = changed.index[changed["status"] == "failed"][::5]
    processed = changed.index[changed["status"] == "processed"]
    changed.loc[failed, ["status", "response"]] = ["processed", ""]
    changed.loc[processed[::7], "status"] = "failed"
    changed.loc[processed[3::11], ["status", "pending_reason"]] = ["pending", "awaiting_schedule"]
    changed["last_attempt_at"] = f"{DEMO_END + timedelta(days=1)}T08:00:00"
    touched = changed.index.isin(failed.union(processed[::7]).union(processed[3::11]))
    changed[touched].to_csv(out / "documents.csv", index=False)
    return {"account": tuple(gone[["center_code", "account_code"]].iloc[0]),
            "item": tuple(restored[["center_code", "item_code"]].iloc[0]), "documents": int(touched.sum())}


def test_the_rollup_answers_as_the_walk_did_before_and_after_a_second_import(engine, demo_bundle, tmp_path):
    summary = ingest.import_bundle(engine, demo_bundle)
    assert summary.status == "succeeded", summary.error
    assert check_against_walk(engine, subsets(engine)) > 0
    first = rollup_rows(engine)
    assert first and all(f + p > 0 for *_, f, p in first)

    change = second_bundle(demo_bundle, tmp_path / "second")
    summary = ingest.import_bundle(engine, tmp_path / "second")
    assert summary.status == "succeeded", summary.error
    with engine.connect() as conn:
        codes = {code: cid for cid, code in conn.execute(sa.text("SELECT id, code FROM center")).all()}
        refs = {(r.center_id, r.ref_kind, r.code) for r in walk(conn, list(codes.values()), *RANGES[-1]).itertuples()}
    center, account = change["account"]
    assert (codes[center], "account", account) in refs          # the account now counts as deleted
    center, item = change["item"]
    assert (codes[center], "item", item) not in refs            # the item does not any more
    assert check_against_walk(engine, subsets(engine)) > 0
    after = rollup_rows(engine)
    assert after != first

    # the same files again change nothing, so the importer leaves the rollup alone
    again = ingest.import_bundle(engine, tmp_path / "second")
    assert again.status == "succeeded" and not rollup_blocked.import_changed(again.per_entity)
    assert rollup_rows(engine) == after

    # a full rebuild gives the same rows as the importer's refreshes
    with engine.begin() as conn:
        rollup.refresh_all(conn)
    assert rollup_rows(engine) == after


def test_the_trends_page_reads_the_rollup(engine, demo_bundle):
    ingest.import_bundle(engine, demo_bundle)
    ids = all_center_ids(engine)
    f = ReportFilters(DEMO_END - timedelta(days=44), DEMO_END)
    t = trends.build(engine, ids, f, today=DEMO_END + timedelta(days=1))
    assert int(t.deleted_refs["blocked_documents"].sum()) > 0
    with engine.begin() as conn:  # the page counts what the rollup holds, not the walk
        conn.execute(blocked_reference_day.delete())
    t = trends.build(engine, ids, f, today=DEMO_END + timedelta(days=1))
    assert not t.deleted_refs.empty and int(t.deleted_refs["blocked_documents"].sum()) == 0


def test_migration_6_builds_the_rollup_for_existing_data(engine, demo_bundle):
    ingest.import_bundle(engine, demo_bundle)
    built = rollup_rows(engine)
    assert built
    with engine.begin() as conn:  # a database from before migration 6
        blocked_reference_day.drop(conn)
        conn.execute(dbmod.schema_migration.delete().where(dbmod.schema_migration.c.version == 6))
    assert dbmod.upgrade(engine) == [6]
    assert rollup_rows(engine) == built
    assert check_against_walk(engine, subsets(engine)[:2]) > 0
