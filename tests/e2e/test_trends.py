"""A manager opens a shared Trends link on a cold server, reads the charts and clicks a bar to see its documents."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.conftest import DEMO_END
from tests.e2e.conftest import assert_no_exception, shot, sign_in, wait_idle

D0 = DEMO_END - timedelta(days=41)  # six whole weeks ending on DEMO_END's week


def click_svg(page, box: dict) -> None:
    """Click the middle of a drawn SVG element. Plotly's drag layer sits on top and turns the click at that
    position into a point click, so the pointer goes there (hover first, as a person's would)."""
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def tallest(locator) -> dict:
    """The bounding box of the tallest element of a locator (a zero-height bar cannot be clicked)."""
    boxes = [loc.bounding_box() or {"height": 0} for loc in locator.all()]
    assert boxes and max(b["height"] for b in boxes) > 2, "no visible bar to click"
    return max(boxes, key=lambda b: b["height"])


def test_clicking_a_weeks_failed_bar_opens_that_weeks_failed_invoices(server, page):
    page.goto(f"{server.url}/trends?date_from={D0.isoformat()}&date_to={DEMO_END.isoformat()}&grain=week")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    page.get_by_role("heading", name="Trends").wait_for()
    volume = page.locator("[data-testid='stPlotlyChart']").first
    volume.locator(".barlayer .trace.bars").first.wait_for()
    # Traces of the Invoices panel: processed, pending, failed bars. The failed ones are the third.
    failed = volume.locator(".barlayer .trace.bars").nth(2).locator(".point path")
    expect(page.get_by_text("Failure rate", exact=True).first).to_be_visible()
    volume.scroll_into_view_if_needed()
    shot(page, "trends_weekly")

    click_svg(page, tallest(failed))
    page.wait_for_url("**/sale_orders?**", timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)
    q = parse_qs(urlparse(page.url).query)
    assert q.get("status") == ["failed"]
    week_from, week_to = date.fromisoformat(q["date_from"][0]), date.fromisoformat(q["date_to"][0])
    assert D0 <= week_from <= week_to <= DEMO_END
    assert (week_to - week_from).days <= 6 and (week_from.weekday() == 0 or week_from == D0)
    assert week_to.weekday() == 6 or week_to == DEMO_END
    shot(page, "trends_drill_to_sale_orders")


def test_clicking_a_center_in_the_breakdown_opens_its_failed_documents(server, page):
    page.goto(f"{server.url}/trends?date_from={D0.isoformat()}&date_to={DEMO_END.isoformat()}&by=center")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    where = page.locator("[data-testid='stPlotlyChart']").nth(1)
    bars = where.locator(".barlayer .trace.bars .point path")
    bars.first.wait_for()
    where.scroll_into_view_if_needed()
    shot(page, "trends_breakdown")
    click_svg(page, bars.last.bounding_box())  # the top bar: the worst failure rate
    page.wait_for_url("**/sale_orders?**", timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)
    q = parse_qs(urlparse(page.url).query)
    assert q.get("status") == ["failed"] and len(q.get("center", [])) == 1
    assert q.get("date_from") == [D0.isoformat()] and q.get("date_to") == [DEMO_END.isoformat()]


def test_month_grain_reads_month_names_round_rates_and_marks_partial_months(server, page):
    d0 = date(2026, 8, 20)  # 20 Aug – DEMO_END (20 Nov): August and November are partial
    page.goto(f"{server.url}/trends?date_from={d0.isoformat()}&date_to={DEMO_END.isoformat()}&grain=month")
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name="Trends").wait_for()
    volume = page.locator("[data-testid='stPlotlyChart']").first
    volume.locator(".barlayer .trace.bars").first.wait_for()
    wait_idle(page)
    assert_no_exception(page)
    ticks = [t.strip() for t in volume.locator(".xaxislayer-above text").all_text_contents() if t.strip()]
    assert "Sep 2026" in ticks and "Oct 2026" in ticks, ticks
    assert any(t.startswith("Aug 2026") and "partial: 12 of 31 days" in t for t in ticks), ticks
    assert any(t.startswith("Nov 2026") and "partial: 20 of 30 days" in t for t in ticks), ticks
    rates = [t for t in volume.locator("g[class^='y'][class$='tick'] text").all_text_contents()
             if t.strip().endswith("%")]
    assert rates, volume.locator("g[class^='y'][class$='tick'] text").all_text_contents()
    values = [int(t.rstrip("%")) for t in rates]
    assert max(values) <= 100 and all(v % 1 == 0 for v in values)
    steps = {b - a for a, b in zip(sorted(set(values)), sorted(set(values))[1:], strict=False)}
    assert steps and steps <= {1, 2, 5, 10, 20, 25}, values
    shot(page, "trends_month_grain")
