"""The spinner of a slow data call names what is loading and for which dates."""

from datetime import date

from syncstatus import operations
from syncstatus.reports import documents, summary_details, sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.ui.data import loading_text

F = ReportFilters(date(2026, 1, 1), date(2026, 12, 31))


def test_each_data_function_is_named_in_words_with_its_period():
    assert loading_text(documents.sale_orders, ((1, 2), F)) == "Loading sale orders for 01 Jan 2026 – 31 Dec 2026…"
    assert loading_text(sync_status.build, ((1,), F)) == "Loading sync status for 01 Jan 2026 – 31 Dec 2026…"
    assert loading_text(operations.build, ((1,), F)).startswith("Loading operations for 01 Jan 2026")
    assert loading_text(summary_details.load, ((1,), "SI-1", None)) == "Loading summary details…"
    assert loading_text(documents.sale_orders, ((1,), F), what="invoices") == \
        "Loading invoices for 01 Jan 2026 – 31 Dec 2026…"
