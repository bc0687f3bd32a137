"""Center and zone names, platform responses, external references, job messages and URL parameters carrying
HTML, markdown, bare URLs or scripts render as text in Chromium, on every page and chart: no dialog ever fires,
no link or image from the data is in the DOM, no request leaves loopback, and the literal text is readable."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from syncstatus import db, ingest
from tests.browser import Server, assert_no_exception, shot, sign_in, wait_idle
from tests.reliability import hostile

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile_e2e")
    url = f"sqlite:///{tmp / 'hostile.db'}"
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    assert ingest.import_bundle(engine, hostile.hostile_bundle(tmp / "bundle"), rejections_dir=tmp).status == "succeeded"
    from syncstatus import access
    from syncstatus.access import create_demo_users

    create_demo_users(engine)
    access.create_user(engine, "zone.link", "demo-zone-link", "zone", zones=["Z2"])
    access.create_user(engine, "center.link", "demo-center-link", "center", centers=["C4"])
    engine.dispose()
    srv = Server(url).start()
    yield srv
    srv.stop()


LOOPBACK = {"127.0.0.1", "localhost"}


@pytest.fixture
def watched_page(page):  # noqa: F811
    """The page, with every alert/confirm/prompt it raises recorded (and dismissed), and every request that
    would leave loopback recorded and aborted."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    leaks: list[str] = []

    def only_loopback(route):
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            leaks.append(url)
            route.abort()

    page.route("**/*", only_loopback)
    page.leaks = leaks
    return page


def literal(text: str) -> str:
    """What a person reads: the invisible word joiners that keep a URL in the data from becoming a link go."""
    return text.replace("\u2060", "")


def assert_nothing_injected(page) -> None:
    assert page.dialogs == [], f"a script ran: {page.dialogs}"
    assert page.locator("img[src='x']").count() == 0, "an injected <img> is in the page"
    assert page.locator("a[href^='javascript']").count() == 0, "a javascript: link is in the page"
    assert page.locator("script:text('xss')").count() == 0
    # Every <a> (HTML or SVG, as Plotly draws them) and <img> stays on loopback: none comes from the data.
    hrefs = page.locator("a").evaluate_all(
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href') || '')")
    foreign = [h for h in hrefs if h.startswith(("mailto:", "javascript:"))
               or urlsplit(h).hostname not in (None, *LOOPBACK)]
    assert foreign == [], f"links from the data are in the page: {foreign}"
    srcs = page.locator("img").evaluate_all("els => els.map(e => e.getAttribute('src') || '')")
    assert [s for s in srcs if urlsplit(s).hostname not in (None, *LOOPBACK)] == [], f"images from the data: {srcs}"
    assert page.leaks == [], f"the browser was made to fetch off loopback: {page.leaks}"


def test_a_failed_invoice_with_markup_in_its_center_and_response_shows_them_as_text(hostile_server, watched_page):
    page = watched_page
    page.goto(f"{hostile_server.url}/sale_order_summary_details?invoice=INV-C1-9-0")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    page.get_by_role("heading", name="Sale Order Summary Details").wait_for()
    center_line = page.locator("[data-testid='stMarkdownContainer']").filter(has_text="Center:").first
    assert hostile.XSS_NAME in center_line.text_content(), "the center name is not shown literally"
    # The parser keeps the text of an unknown payload without its tags; what remains must stay literal text.
    alert = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "[click](javascript:alert(4))" in alert, "the platform's message is rendered as markdown"
    page.get_by_text("Raw response from the platform").click()  # opens in the browser: no run to wait for
    expect(page.locator("code").filter(has_text='<script>alert(3)</script>').first).to_be_visible()
    shot(page, "reliability_markup_summary_details")
    assert_nothing_injected(page)


def test_the_overview_names_a_stale_center_with_markup_literally(hostile_server, watched_page):
    page = watched_page
    page.goto(f"{hostile_server.url}/")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Overview").click()
    wait_idle(page)
    page.get_by_role("heading", name="Overview").wait_for()
    warning = page.locator("[data-testid='stAlertContentWarning']").first
    warning.wait_for()  # the hostile data ends 2026-11-20: stale by the time anyone runs this
    assert hostile.XSS_NAME in warning.inner_text()
    shot(page, "reliability_markup_overview")
    assert_nothing_injected(page)


def test_the_sync_status_report_and_its_center_picker_show_markup_as_text(hostile_server, watched_page):
    page = watched_page
    page.goto(f"{hostile_server.url}/sync_status?date_from=2026-11-01&date_to=2026-11-20")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    page.get_by_text("Center", exact=True).first.wait_for()
    picker = page.locator("[data-testid='stMultiSelect']").filter(has_text="Center").first
    picker.click()
    option = page.get_by_role("option").filter(has_text="xss-name")
    option.first.wait_for()
    assert hostile.XSS_NAME in option.first.inner_text()
    shot(page, "reliability_markup_center_picker")
    page.keyboard.press("Escape")
    assert_nothing_injected(page)


def test_operations_needs_attention_and_a_reflected_order_center_show_links_and_images_as_text(
        hostile_server, watched_page):
    page = watched_page
    page.goto(f"{hostile_server.url}/operations?date_from=2026-11-01&date_to=2026-11-20"
              f"&order_center={quote(hostile.LINK_PARAM)}")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    page.get_by_role("heading", name="Needs attention").wait_for()
    job = page.locator("[data-testid='stAlertContentError']").filter(has_text="job-link").first
    job.wait_for()
    assert hostile.LINK_NAME in literal(job.inner_text()) and hostile.LINK_JOB in literal(job.inner_text())
    caption = page.locator("[data-testid='stCaptionContainer']").filter(has_text="param-link").first
    assert hostile.LINK_PARAM in literal(caption.inner_text()), "the order_center parameter is not shown as typed"
    shot(page, "reliability_markup_operations")
    assert_nothing_injected(page)


def test_the_sidebar_scope_label_shows_a_zone_name_with_markup_as_text(hostile_server, watched_page):
    page = watched_page
    page.goto(f"{hostile_server.url}/sync_status?date_from=2026-11-01&date_to=2026-11-20")
    sign_in(page, "zone.link", "demo-zone-link")
    assert_no_exception(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("zone-link", exact=False).first).to_be_visible()
    assert hostile.LINK_ZONE in literal(sidebar.inner_text())
    assert_nothing_injected(page)


def test_summary_details_metric_caption_and_sidebar_show_names_and_external_refs_as_text(
        hostile_server, watched_page):
    page = watched_page
    page.goto(f"{hostile_server.url}/sale_order_summary_details?invoice=INV-C4-9-0")
    sign_in(page, "center.link", "demo-center-link")
    assert_no_exception(page)
    page.get_by_role("heading", name="Sale Order Summary Details").wait_for()
    center_line = page.locator("[data-testid='stMarkdownContainer']").filter(has_text="Center:").first
    assert hostile.LINK_NAME in literal(center_line.inner_text())
    caption = page.locator("[data-testid='stCaptionContainer']").filter(has_text="external doc no").first
    assert hostile.LINK_REF in literal(caption.inner_text())
    assert hostile.LINK_NAME in literal(page.locator("[data-testid='stSidebar']").inner_text())
    shot(page, "reliability_markup_summary_links")
    assert_nothing_injected(page)


def test_trends_charts_show_names_with_links_as_text_in_axis_labels(hostile_server, watched_page):
    page = watched_page
    page.goto(f"{hostile_server.url}/trends?date_from=2026-11-01&date_to=2026-11-20&by=center")
    sign_in(page, "admin", "demo-admin")
    assert_no_exception(page)
    ticks = page.locator(".js-plotly-plot .ytick text")
    expect(ticks.filter(has_text="link-name").first).to_be_attached()
    labels = ticks.all_text_contents()
    assert any(hostile.LINK_NAME in label for label in labels), labels
    assert any(hostile.XSS_NAME in label for label in labels), labels
    shot(page, "reliability_markup_trends")
    assert_nothing_injected(page)
