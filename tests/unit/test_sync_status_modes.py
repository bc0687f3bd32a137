"""The Sync Status report's Mode column, from a center's configurations in force during the range."""

from datetime import date

from syncstatus.reports.filters import ReportFilters
from syncstatus.reports.sync_status import UNCONFIGURED_MODE, describe_modes

NOV = ReportFilters(date(2026, 11, 1), date(2026, 11, 30))


def test_one_configuration_names_its_mode():
    assert describe_modes([(date(2025, 1, 1), "day_wise")], NOV) == "Day Wise"
    assert describe_modes([("2026-10-01", "invoice_wise")], NOV) == "Invoice Wise"


def test_a_switch_within_the_range_names_both_modes_and_the_day():
    configs = [(date(2025, 1, 1), "invoice_wise"), (date(2026, 11, 12), "day_wise")]
    assert describe_modes(configs, NOV) == "Invoice Wise → Day Wise (switched on 12 Nov)"


def test_dates_before_the_first_configuration_count_invoice_wise():
    assert describe_modes([(date(2026, 11, 5), "invoice_wise")], NOV) == "Invoice Wise"
    assert describe_modes([(date(2026, 11, 5), "day_wise")], NOV) == "Invoice Wise → Day Wise (switched on 5 Nov)"
    assert describe_modes([], NOV) == UNCONFIGURED_MODE


def test_a_range_across_years_names_the_year_of_the_switch():
    f = ReportFilters(date(2025, 12, 1), date(2026, 1, 31))
    configs = [(date(2025, 1, 1), "day_wise"), (date(2026, 1, 3), "invoice_wise_journal")]
    assert describe_modes(configs, f) == "Day Wise → Invoice Wise as journal entries (switched on 3 Jan 2026)"
