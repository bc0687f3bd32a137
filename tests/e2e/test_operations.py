"""An accountant opens Operations on a cold server, sees the center whose deleted purchase orders will stay pending
because it has no maintenance job, lists those orders in the same tab, and follows the home page's stale-data banner."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.conftest import DEMO_END
from tests.e2e.conftest import assert_no_exception, shot, sign_in, wait_idle

FLAG = "will stay pending: the maintenance job is not enabled for this center"


def test_operations_flags_the_center_without_a_maintenance_job_and_lists_its_stuck_orders(server, page):
    d0 = (DEMO_END - timedelta(days=30)).isoformat()
    page.goto(f"{server.url}/operations?date_from={d0}&date_to={DEMO_END.isoformat()}")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    page.get_by_role("heading", name="Operations").first.wait_for()
    flag = page.locator("[data-testid='stAlertContentError']").filter(has_text=FLAG)
    expect(flag).to_have_count(1)
    expect(flag).to_contain_text("deleted purchase order")
    grids = page.locator("[data-testid='stDataFrame']")
    expect(grids).to_have_count(3)  # orders, jobs, freshness
    shot(page, "operations_missing_maintenance_flag")

    page.get_by_role("button", name="Show these orders").first.click()
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_role("heading", name="Order documents").wait_for()
    q = parse_qs(urlparse(page.url).query)
    assert q.get("status") == ["pending"] and q.get("deleted") == ["1"]
    assert len(q.get("order_center", [])) == 1  # the documents of the flagged center
    assert q.get("date_from") == [d0]
    expect(grids).to_have_count(4)  # plus the documents behind the flag
    expect(page.get_by_text("Deleted purchase orders and transfer orders, pending, all dates, ")).to_have_count(1)
    page.get_by_role("heading", name="Order documents").scroll_into_view_if_needed()
    shot(page, "operations_deleted_orders_listed")

    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Overview").click()
    wait_idle(page)
    assert_no_exception(page)
    banner = page.locator("[data-testid='stAlertContentWarning']").filter(has_text="Data is stale for")
    # The demo data ends on DEMO_END (in the past), so with the default 2 days every center is stale.
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text("Data is stale for 6 centers")
    shot(page, "home_stale_banner")
    page.get_by_role("link", name="See data freshness and sync jobs in Operations").click()
    wait_idle(page)
    page.get_by_role("heading", name="Data freshness").wait_for()
    assert_no_exception(page)
