"""Filters from URL parameters and the links the app emits."""

from datetime import date

from syncstatus import links
from syncstatus.reports.filters import ReportFilters, from_params, to_params


def test_filters_round_trip_through_url_parameters():
    f = ReportFilters(date(2026, 1, 1), date(2026, 1, 31), ("N",), ("C001", "C002"), ("qbo",), "failed")
    assert from_params(to_params(f)) == f


def test_bad_url_parameters_fall_back_with_a_reason():
    f = from_params({"date_from": "yesterday'; DROP TABLE x", "platform": "sap", "status": "<script>"},
                    today=date(2026, 3, 10))
    assert f.date_from == date(2026, 3, 4) and f.date_to == date(2026, 3, 10)
    assert f.platforms == () and f.status == "all"
    assert len(f.problems) == 3
    assert any("not a date" in p for p in f.problems)


def test_swapped_dates_are_put_in_order():
    f = from_params({"date_from": "2026-02-10", "date_to": "2026-02-01"})
    assert (f.date_from, f.date_to) == (date(2026, 2, 1), date(2026, 2, 10))


def test_links_build_page_paths_and_urls_with_repeated_parameters():
    link = links.to("sale_orders", center=["C001", "C002"], date_from=date(2026, 1, 1), status=None)
    assert link.path == "pages/sale_orders.py"
    assert link.url("http://x") == "http://x/sale_orders?center=C001&center=C002&date_from=2026-01-01"
    assert links.summary_invoice("S-C001-20260105").url() == "/sale_order_summary_details?invoice=S-C001-20260105"


def test_every_registered_page_file_exists():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing = [p.path for p in links.PAGES if not (root / p.path).exists()]
    assert not missing, f"pages registered without a file: {missing}"
