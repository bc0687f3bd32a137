"""A person opens a shared Sync Status link on a cold server, reads the totals and clicks through."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.conftest import DEMO_END
from tests.e2e.conftest import assert_no_exception, shot, sign_in, wait_idle


def test_shared_link_shows_filtered_report_and_drills_to_a_centers_failed_invoices(server, page):
    d0 = (DEMO_END - timedelta(days=30)).isoformat()
    page.goto(f"{server.url}/sync_status?date_from={d0}&date_to={DEMO_END.isoformat()}&status=failed")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    page.get_by_role("heading", name="Integrations Sync Status").wait_for()
    # the centers (the totals row is a table of its own above them)
    grid = page.locator("[data-testid='stDataFrame']").nth(1)
    grid.wait_for()
    shot(page, "sync_status_failed_only")
    for label in ("Failed invoices", "Pending invoices", "Failed misc. journals"):
        expect(page.get_by_text(label, exact=True)).to_have_count(1)
    # The URL still carries the filters after sign-in and the first run.
    q = parse_qs(urlparse(page.url).query)
    assert q.get("status") == ["failed"] and q.get("date_from") == [d0]

    box = grid.bounding_box()
    # Row 0 of the body, first (pinned) column: Zone. Header row is 35 px, rows 35 px.
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)
    page.wait_for_url("**/sale_orders?**", timeout=30_000)
    wait_idle(page)
    assert_no_exception(page)
    q = parse_qs(urlparse(page.url).query)
    assert q.get("status") == ["failed"]
    assert len(q.get("center", [])) == 1
    assert q.get("date_from") == [d0]
    shot(page, "sync_status_drill_to_sale_orders")


def test_the_level_toggle_keeps_its_selection_when_moving_between_pages(server, page):
    page.goto(f"{server.url}/sync_status")
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name="Integrations Sync Status").wait_for()

    def checked() -> list[str]:
        group = page.locator("[data-testid='stButtonGroup']").first
        group.wait_for()
        return [b.inner_text() for b in group.locator("button").all() if b.get_attribute("aria-checked") == "true"]

    assert checked() == ["Organization level"]
    for name, heading in (("Trends", "Trends"), ("Sale Orders", "Sale Orders"), ("Sync Status",
                                                                                 "Integrations Sync Status")):
        page.get_by_role("link", name=name).first.click()
        page.get_by_role("heading", name=heading).wait_for()
        wait_idle(page)
        assert checked() == ["Organization level"], name
