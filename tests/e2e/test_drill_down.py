"""The drill-down chain in a real browser: Sync Status → a center's failed invoices → one summary invoice, in the
same tab; a deep link on a cold server; and what a deleted account looks like (screenshots in test-artifacts/)."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from syncstatus import db, links
from syncstatus.access import all_center_ids
from syncstatus.reports import documents, sync_status
from syncstatus.reports.filters import ReportFilters
from tests.conftest import DEMO_END
from tests.e2e.conftest import assert_no_exception, shot, sign_in, wait_idle

D0 = DEMO_END - timedelta(days=30)
RANGE = f"date_from={D0.isoformat()}&date_to={DEMO_END.isoformat()}"
ROW = 35  # st.dataframe: header row and body rows are 35 px high


def column_edges(page, grid) -> list[float]:
    """x of each column's left edge in the canvas grid, read from the header's vertical divider lines."""
    from PIL import Image

    box = grid.bounding_box()
    img = Image.open(io.BytesIO(page.screenshot(clip={"x": box["x"], "y": box["y"], "width": box["width"],
                                                      "height": 10}))).convert("RGB")
    row = [img.getpixel((x, 4)) for x in range(img.width)]
    lines = [x for x in range(8, img.width - 8) if row[x] != row[x - 1] and row[x - 1] == row[7]]
    edges = [0.0] + [float(x) for i, x in enumerate(lines) if i == 0 or x - lines[i - 1] > 3]
    return [box["x"] + e for e in edges]


def wait_for_path(page, path: str) -> None:
    """switch_page changes the address with history.pushState: no load event to wait for."""
    page.wait_for_function("p => window.location.pathname.endsWith(p)", arg=path, timeout=60_000)
    wait_idle(page)


def click_cell(page, grid, column: int, row: int) -> None:
    edges = column_edges(page, grid)
    x = (edges[column] + edges[column + 1]) / 2 if column + 1 < len(edges) else edges[column] + 20
    page.mouse.click(x, grid.bounding_box()["y"] + ROW + ROW * row + ROW / 2)


@pytest.fixture
def facts(e2e_database):
    """From the same database: a center row with failed summary invoices and that center's first failed one."""
    engine = db.create_db_engine(e2e_database)
    ids = all_center_ids(engine)
    f = ReportFilters(D0, DEMO_END)
    report = sync_status.build(engine, ids, f)
    for pos, code in enumerate(report.centers["center_code"]):
        listed = documents.sale_orders(engine, ids, f.with_(centers=(code,), status="failed"))
        kinds = list(listed.table["Type"])
        if kinds and kinds[0] == "Summary invoice":
            engine.dispose()
            return {"row": pos, "code": code, "number": listed.table.iloc[0]["Invoice / summary invoice no"],
                    "failed": int(report.body.iloc[pos]["Failed Invoices"])}
    engine.dispose()
    pytest.fail("the demo data has no center with failed summary invoices in the range")


def test_from_sync_status_a_failed_invoices_cell_leads_to_one_summary_invoice_in_the_same_tab(server, page, facts):
    page.goto(f"{server.url}/sync_status?{RANGE}")
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name="Integrations Sync Status").wait_for()
    # the centers (the totals row is a table of its own above them)
    grid = page.locator("[data-testid='stDataFrame']").nth(1)
    grid.wait_for()
    wait_idle(page)

    click_cell(page, grid, sync_status.COLUMNS.index("Failed Invoices"), facts["row"])
    wait_for_path(page, "/sale_orders")
    assert_no_exception(page)
    q = parse_qs(urlparse(page.url).query)
    assert q.get("status") == ["failed"] and q.get("center") == [facts["code"]]
    page.get_by_text(f"{facts['failed']:,} documents.").wait_for()
    shot(page, "drill_sale_orders_failed")
    open_first_summary(page, facts)


def test_the_sync_status_link_of_a_centers_failed_invoices_opens_them_and_one_summary(server, page, facts):
    link = links.center_documents(facts["code"], D0, DEMO_END, "failed")
    page.goto(link.url(server.url))
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name="Sale Orders").wait_for()
    assert_no_exception(page)
    page.get_by_text(f"{facts['failed']:,} documents.").wait_for()
    shot(page, "drill_sale_orders_from_link")
    open_first_summary(page, facts)


def open_first_summary(page, facts) -> None:
    pages_before = len(page.context.pages)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    click_cell(page, grid, 0, 0)  # the pinned number column, first row
    wait_for_path(page, "/sale_order_summary_details")
    assert_no_exception(page)
    assert parse_qs(urlparse(page.url).query)["invoice"] == [facts["number"]]
    page.get_by_role("heading", name=f"Summary invoice {facts['number']}").wait_for()
    for part in ("Sale orders", "Lines", "Payments"):
        page.get_by_role("heading", name=part, exact=True).wait_for()
    expect(page.get_by_text("Tie-out").first).to_be_visible()
    assert len(page.context.pages) == pages_before  # the same tab
    shot(page, "drill_summary_details")


def test_a_deep_link_on_a_cold_server_shows_the_summary_with_the_sidebar(server, page, facts):
    page.goto(f"{server.url}/sale_order_summary_details?invoice={facts['number']}")
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name=f"Summary invoice {facts['number']}").wait_for()
    assert_no_exception(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    for title in ("Sync Status", "Sale Orders", "Chart of Accounts"):
        # the navigation may arrive a moment after the page's own heading on a loaded machine
        sidebar.get_by_text(title, exact=True).first.wait_for(timeout=15_000)
    shot(page, "drill_deep_link_cold_server")


def test_a_shared_not_found_link_explains_itself(server, page):
    page.goto(f"{server.url}/sale_order_summary_details?invoice=NOPE-404")
    sign_in(page, "admin", "demo-admin")
    page.get_by_text("No summary invoice or invoice numbered NOPE-404 in your centers.").wait_for()
    assert_no_exception(page)


def test_deleted_accounts_are_highlighted_with_a_label_and_a_legend(server, page):
    page.goto(f"{server.url}/chart_of_accounts?deleted=true")
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name="Chart of Accounts").wait_for()
    assert_no_exception(page)
    page.get_by_text("Rows shaded yellow reference an account or item deleted").wait_for()
    expect(page.get_by_role("checkbox", name="Only accounts deleted or inactive in the platform")).to_be_checked()
    shot(page, "drill_chart_of_accounts_deleted")
