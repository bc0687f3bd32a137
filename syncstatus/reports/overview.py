"""The home page's figures: date span and documents per status for the viewer's centers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from syncstatus import sql

LINE_NAMES = {"invoices": "Invoices", "misc_journals": "Misc. journals", "payments": "Payments",
              "refunds": "Refunds", "purchase_orders": "Purchase orders", "transfer_orders": "Transfer orders"}
STATUS_NAMES = {"processed": "Processed", "pending": "Pending", "failed": "Failed"}


@dataclass
class Overview:
    centers: int
    first_sync_date: date | None
    last_sync_date: date | None
    by_status: dict[str, int]
    by_line: pd.DataFrame


def _as_date(v) -> date | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


def summary(engine, center_ids: tuple[int, ...]) -> Overview:
    ids = list(center_ids)
    span = sql.frame(engine, "data_span", center_ids=ids)
    totals = sql.frame(engine, "status_totals", center_ids=ids)
    totals = totals[totals["report_line"].isin(list(LINE_NAMES)) & totals["status"].isin(list(STATUS_NAMES))]
    by_status = {STATUS_NAMES[s]: int(totals.loc[totals["status"] == s, "documents"].sum()) for s in STATUS_NAMES}
    wide = totals.pivot_table(index="report_line", columns="status", values="documents", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(STATUS_NAMES), fill_value=0).reindex([k for k in LINE_NAMES if k in wide.index])
    by_line = pd.DataFrame({"Documents": [LINE_NAMES[k] for k in wide.index],
                            **{STATUS_NAMES[s]: wide[s].astype("int64").to_numpy() for s in STATUS_NAMES}})
    return Overview(len(ids), _as_date(span["first_sync_date"].iloc[0]) if len(span) else None,
                    _as_date(span["last_sync_date"].iloc[0]) if len(span) else None, by_status, by_line)
