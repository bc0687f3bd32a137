"""Which documents a click on a Sync Status cell opens (ui.tables.sync_status_drill), on a constructed report."""

from datetime import date

import pandas as pd
import pytest

from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.schema import DAY_COUNT_COLUMNS
from syncstatus.ui.tables import sync_status_drill

F = ReportFilters(date(2026, 11, 1), date(2026, 11, 7))


def report(**cells_by_center: dict[str, int]):
    codes = list(cells_by_center)
    directory = pd.DataFrame({"center_id": range(1, len(codes) + 1), "center_code": codes, "zone_name": "North",
                              "center_name": [f"Center {c}" for c in codes], "platform": "qbo"})
    counts = pd.DataFrame([{"center_id": i + 1, **{c: cells.get(c, 0) for c in DAY_COUNT_COLUMNS}}
                           for i, cells in enumerate(cells_by_center.values())])
    return sync_status.assemble(directory, counts, F)


def click(row: int, column: str) -> dict:
    return {"selection": {"cells": [(row, column)], "rows": [], "columns": []}}


@pytest.mark.parametrize("column", ["Zone", "Center Name", "Response message"])
def test_a_center_whose_only_failures_are_misc_journals_opens_its_failed_misc_journals(column):
    r = report(C1={"inv_processed": 5, "mj_processed": 2, "mj_failed": 1, "failed_duplicate": 1})
    link = sync_status_drill(click(0, column), r, F)
    assert link.page == "misc_journal_entries"
    assert link.params["center"] == "C1" and link.params["status"] == "failed"


def test_a_center_with_failed_invoices_opens_its_failed_sale_orders():
    r = report(C1={"inv_failed": 2, "failed_duplicate": 2, "mj_failed": 1, "failed_validation": 1})
    link = sync_status_drill(click(0, "Center Name"), r, F)
    assert link.page == "sale_orders" and link.params["status"] == "failed"


def test_a_center_without_failures_opens_all_its_sale_orders():
    r = report(C1={"inv_processed": 3})
    link = sync_status_drill(click(0, "Zone"), r, F)
    assert link.page == "sale_orders" and "status" not in link.params


def test_a_count_cell_opens_that_line_and_status():
    r = report(C1={"inv_processed": 3, "mj_pending": 2})
    link = sync_status_drill(click(0, "Pending Misc. Journals"), r, F)
    assert link.page == "misc_journal_entries" and link.params["status"] == "pending"


def test_a_cell_of_the_totals_table_above_the_centers_opens_every_centers_documents():
    r = report(C1={"inv_failed": 2, "failed_duplicate": 2}, C2={"inv_failed": 1, "failed_validation": 1})
    link = sync_status_drill(click(0, "Failed Invoices"), r, F, totals=True)
    assert link.page == "sale_orders" and link.params["status"] == "failed"
    assert sorted(link.params["center"]) == ["C1", "C2"]
    # the same position in the centers' table is the first center
    assert sync_status_drill(click(0, "Failed Invoices"), r, F).params["center"] == "C1"
