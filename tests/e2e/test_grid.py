"""The report grids at 1600 px with more than 15 centers: every header reads whole (full name on hover), the
totals stay in sight without scrolling and still drill, and a platform's long message can be read whole."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from syncstatus import db, operations
from syncstatus.access import all_center_ids
from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters
from syncstatus.ui import tables
from tests.browser import fresh_page
from tests.conftest import DEMO_END
from tests.e2e.conftest import Server, assert_no_exception, shot, sign_in, wait_idle
from tests.e2e.test_drill_down import ROW, column_edges, wait_for_path

CENTERS = 20
D0 = DEMO_END - timedelta(days=30)
RANGE = f"date_from={D0.isoformat()}&date_to={DEMO_END.isoformat()}"
GRID = "[data-testid='stDataFrame']"
# The width of a header's text as the grid draws it (its header font: the app's font, 14 px, normal weight).
TEXT_WIDTH = """label => { const c = document.createElement('canvas').getContext('2d');
  c.font = '400 14px ' + getComputedStyle(document.body).fontFamily; return c.measureText(label).width; }"""


@pytest.fixture(scope="module")
def big_database(tmp_path_factory) -> str:
    from syncstatus import demo, ingest
    from syncstatus.access import create_demo_users

    root = tmp_path_factory.mktemp("grid_db")
    demo.generate_bundle(root / "bundle", centers=CENTERS, days=40, seed=7, end_date=DEMO_END)
    url = f"sqlite:///{root / 'grid.db'}"
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    ingest.import_bundle(engine, root / "bundle")
    create_demo_users(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def big_server(big_database):
    srv = Server(big_database).start()
    yield srv
    srv.stop()


@pytest.fixture
def wide_page(browser):
    with fresh_page(browser, width=1600) as pg:
        yield pg


def open_sync_status(page, server):
    page.goto(f"{server.url}/sync_status?{RANGE}")
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name="Integrations Sync Status").wait_for()
    expect(page.locator(GRID)).to_have_count(3)  # totals, centers, why documents failed
    wait_idle(page)
    assert_no_exception(page)


def assert_headers_whole(page, grid, labels: list[str]) -> None:
    """Each header's text fits its column as drawn (column edges read from the grid's divider lines)."""
    grid.scroll_into_view_if_needed()
    edges = column_edges(page, grid) + [grid.bounding_box()["x"] + grid.bounding_box()["width"]]
    widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
    assert len(widths) >= len(labels), (widths, labels)
    for label, width in zip(labels, widths, strict=False):
        needed = page.evaluate(TEXT_WIDTH, label) + 16  # 8 px of cell padding either side
        assert needed <= width, f"header {label!r} needs {needed:.0f} px, its column has {width:.0f}"


def hover_shows(page, grid, column_x: float, text: str) -> None:
    page.mouse.move(column_x, grid.bounding_box()["y"] + ROW / 2)
    expect(page.get_by_text(text, exact=True).last).to_be_visible()


def test_sync_status_headers_read_whole_with_the_full_name_on_hover(big_server, wide_page):
    page = wide_page
    open_sync_status(page, big_server)
    grid = page.locator(GRID).nth(1)
    # the report's columns as far as the counts; Mode and Response message are text read on horizontal scroll
    shown = [tables.SYNC_STATUS_LABELS.get(c, c) for c in sync_status.COLUMNS if c not in ("Mode", "Response message")]
    assert len(set(shown)) == len(shown)
    assert_headers_whole(page, grid, shown)
    edges = column_edges(page, grid)
    hover_shows(page, grid, edges[3] + 20, "Processed Invoices")  # Inv. processed
    hover_shows(page, grid, edges[7] + 20, "Processed Misc. Journals")
    shot(page, "grid_sync_status_1600")


def test_operations_order_headers_are_distinct_and_whole(big_server, wide_page):
    page = wide_page
    page.goto(f"{big_server.url}/operations?{RANGE}")
    sign_in(page, "admin", "demo-admin")
    page.get_by_role("heading", name="Purchase and transfer orders").wait_for()
    wait_idle(page)
    assert_no_exception(page)
    heading = page.get_by_role("heading", name="Purchase and transfer orders")
    grid = heading.locator("xpath=following::*[@data-testid='stDataFrame'][1]")  # the first grid after it
    labels = ["Center", "Zone", "PO processed", "PO pending", "PO failed", "TO processed", "TO pending",
              "TO failed", "Deleted pending"]
    expected = ["Center", "Zone", *operations.ORDER_COLUMNS[2:len(labels)]]  # the pinned Center comes first
    assert len(set(labels)) == len(labels)
    assert_headers_whole(page, grid, labels)
    edges = column_edges(page, grid)
    hover_shows(page, grid, edges[2] + 20, expected[2])  # "Purchase orders processed"
    hover_shows(page, grid, edges[5] + 20, expected[5])  # "Transfer orders processed"
    shot(page, "grid_operations_1600")


def test_totals_stay_in_sight_above_more_than_15_centers_and_still_drill(big_server, wide_page):
    page = wide_page
    open_sync_status(page, big_server)
    totals, centers = page.locator(GRID).nth(0), page.locator(GRID).nth(1)
    # Without any scrolling: the totals table is on screen, above the centers, and holds the totals row.
    expect(totals).to_be_in_viewport()
    expect(totals.get_by_text(f"{CENTERS} centers")).to_have_count(1)
    expect(centers.get_by_text("Total", exact=True)).to_have_count(0)
    assert totals.bounding_box()["y"] < centers.bounding_box()["y"]
    # The centers are more than their table shows at once: the totals would have been out of sight.
    assert centers.bounding_box()["height"] < ROW * (CENTERS + 2)
    shot(page, "grid_totals_in_sight")

    edges = column_edges(page, totals)
    box = totals.bounding_box()
    page.mouse.click((edges[5] + edges[6]) / 2, box["y"] + ROW + ROW / 2)  # Failed Invoices of the totals
    wait_for_path(page, "/sale_orders")
    assert_no_exception(page)
    q = parse_qs(urlparse(page.url).query)
    assert q.get("status") == ["failed"]
    assert len(q.get("center", [])) == CENTERS


def test_a_long_response_message_reads_whole(big_server, wide_page):
    page = wide_page
    open_sync_status(page, big_server)
    page.get_by_text("Response messages in full").click()
    expect(page.get_by_text("failed:").first).to_be_visible()
    engine = db.create_db_engine(big_server.database_url)
    try:
        report = sync_status.build(engine, all_center_ids(engine), ReportFilters(D0, DEMO_END))
    finally:
        engine.dispose()
    longest = max((m for m in report.body["Response message"] if isinstance(m, str)), key=len)
    expander = page.locator("[data-testid='stExpander']")
    expect(expander).to_contain_text(longest)
