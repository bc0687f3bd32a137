"""Accessibility in a real browser (issue 21 item 11; docs/ACCESSIBILITY.md): axe-core over the sign-in form and
every page signed in as an admin, with no serious or critical violation."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from syncstatus import db
from syncstatus.links import PAGES
from syncstatus.reports import summary_details
from syncstatus.schema import sync_document
from syncstatus.ui import tables
from tests.conftest import DEMO_END
from tests.e2e.conftest import assert_no_exception, sign_in

BLOCKING = ("serious", "critical")
RANGE = f"date_from={(DEMO_END - timedelta(days=30)).isoformat()}&date_to={DEMO_END.isoformat()}"
# (rule id, CSS selector) pairs axe may report without failing the test: only for markup drawn by Streamlit's own
# frontend that the app cannot change, each with the element and the reason, and listed in docs/ACCESSIBILITY.md.
EXCLUDED: set[tuple[str, str]] = set()


def blocking(where: str, response: dict) -> list[str]:
    """One line per serious or critical violation: page, rule id, impact, help and the elements it names."""
    lines = []
    for v in response["violations"]:
        if v["impact"] not in BLOCKING:
            continue
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"]]
        targets = [t for t in targets if (v["id"], t) not in EXCLUDED]
        if targets:
            lines.append(f"{where}: {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']}) at "
                         + "; ".join(targets[:5]) + (f" and {len(targets) - 5} more" if len(targets) > 5 else ""))
    return lines


def a_summary_invoice(database_url: str) -> str:
    """The number of a summary invoice in the demo data, for the Summary Details page."""
    engine = db.create_db_engine(database_url)
    with engine.connect() as conn:
        number = conn.execute(sa.select(sync_document.c.document_no).where(sync_document.c.kind == "summary_invoice")
                              .order_by(sync_document.c.document_no).limit(1)).scalar_one()
    engine.dispose()
    return number


def drawn(page) -> None:
    """Charts are drawn by Plotly after the script run ends: wait for each one's SVG."""
    for chart in page.locator("[data-testid='stPlotlyChart']").all():
        expect(chart.locator(".main-svg").first).to_be_attached()


def test_axe_finds_no_serious_or_critical_violation_on_the_sign_in_form_or_any_page(server, page):
    axe = Axe()
    summary_no = a_summary_invoice(server.database_url)
    page.goto(server.url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    found = blocking("sign-in form", axe.run(page).response)
    for spec in PAGES:
        path = f"/{spec.url_path}" + (f"?invoice={summary_no}" if spec.key == "sale_order_summary_details" else "")
        page.goto(server.url + path)
        sign_in(page, "admin", "demo-admin")
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        if spec.key == "sale_order_summary_details":
            assert page.get_by_text(summary_details.not_found_message(summary_no)).count() == 0
            expect(page.get_by_text(summary_no).first).to_be_visible()  # the invoice itself
        assert_no_exception(page)
        drawn(page)
        found += blocking(path, axe.run(page).response)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


INSIDE = ("([sel, nth]) => { const e = document.activeElement; const box = document.querySelectorAll(sel)[nth];"
          " return !!(e && box && box.contains(e)) && e !== document.body; }")


def tab_until_inside(page, selector: str, presses: int = 80, nth: int = 0) -> str:
    """Press Tab from the top of the main area until focus lands inside the `nth` element matching `selector`; the
    focused element's HTML."""
    page.evaluate("document.getElementById('stMain').focus()")
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(INSIDE, [selector, nth]):
            return page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{presses} Tab presses never reached {selector}; last focus: "
                         + page.evaluate("document.activeElement.outerHTML.slice(0, 200)"))


def test_the_keyboard_reaches_the_sync_status_grid(server, page):
    page.goto(f"{server.url}/sync_status?{RANGE}")
    sign_in(page, "admin", "demo-admin")
    grid = page.locator("[data-testid='stDataFrame']").nth(1)   # the centers (the totals row is the first grid)
    expect(grid.locator("[data-testid='data-grid-canvas']")).to_be_visible()
    # Focus lands on the grid's canvas or, once the grid has settled, on its first cell: inside the grid either way.
    focused = tab_until_inside(page, "[data-testid='stDataFrame'] [data-testid='data-grid-canvas']", nth=1)
    assert "data-grid-canvas" in focused or 'role="gridcell"' in focused, focused
    # What a screen reader reads: the canvas carries the grid as a table with its column headers (short labels,
    # the full name on hover).
    expect(grid.locator("th[role='columnheader']", has_text=tables.SYNC_STATUS_LABELS["Failed Invoices"])
           ).to_be_attached()


def test_the_keyboard_reaches_the_trends_chart_and_its_controls_have_names(server, page):
    page.goto(f"{server.url}/trends?{RANGE}")
    sign_in(page, "admin", "demo-admin")
    chart = page.locator("[data-testid='stPlotlyChart']").first
    expect(chart.locator(".main-svg").first).to_be_attached()
    focused = tab_until_inside(page, "[data-testid='stPlotlyChart']")
    name = page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")
    assert name.strip(), f"the focused chart control has no name: {focused}"
    page.keyboard.press("Enter")  # the first control of the chart's toolbar
    assert_no_exception(page)
