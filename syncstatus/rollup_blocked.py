"""The Trends rollup `blocked_reference_day`: documents blocked by accounts and items deleted (or made inactive)
in the accounting platform.

Per center, deleted/inactive reference and sync date, the distinct failed and pending documents that reference
it (queries/rollup_blocked_insert.sql: invoices through their lines and payments, summary invoices through their
sale orders, payments and misc. journals by debit or credit account), with running totals per reference:
`trends_deleted_refs.sql` reads any range of it in two index probes per reference
instead of walking the reference tables at query time.

`refresh` recounts whole centers (DELETE, then one INSERT ... SELECT), inside the caller's transaction: the
importer calls it for every center an import named (ingest._refresh_rollups), because a new accounts.csv or
items.csv can delete or restore a reference, which changes every date of that center, and new lines, payments,
journals or document statuses change the dates they touch; an import that loaded or updated none of the rows
counted here (`import_changed`) skips it. `rollup.refresh_all` rebuilds every center.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.engine import Connection

from syncstatus import sql

# The bundle entities whose rows the counts depend on: an import that loaded or updated none of them (a re-import
# of the same files, say) leaves the rollup as it was.
SOURCES = ("accounts", "items", "sale_orders", "sale_order_lines", "payments", "misc_journals", "documents")


def import_changed(per_entity: Mapping[str, Mapping[str, int]]) -> bool:
    """Whether an import's per-entity counts (ImportSummary.per_entity) show a change the rollup depends on."""
    return any(per_entity.get(e, {}).get("loaded", 0) + per_entity.get(e, {}).get("updated", 0) for e in SOURCES)


def refresh(conn: Connection, center_ids: Iterable[int]) -> None:
    """Recount blocked_reference_day for these centers from the detail rows, in the caller's transaction."""
    ids = sorted({int(c) for c in center_ids})
    if not ids:
        return
    sql.execute(conn, "rollup_blocked_delete", center_ids=ids)
    sql.execute(conn, "rollup_blocked_insert", center_ids=ids)
