"""Accessibility in a real browser (issue 21 item 11; docs/ACCESSIBILITY.md): axe-core over the sign-in form and
every page signed in as an admin, with no serious or critical violation."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from syncstatus.links import PAGES
from tests.e2e.conftest import assert_no_exception, sign_in
from tests.e2e.test_access import other_centers_summary

BLOCKING = ("serious", "critical")
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


def drawn(page) -> None:
    """Charts are drawn by Plotly after the script run ends: wait for each one's SVG."""
    for chart in page.locator("[data-testid='stPlotlyChart']").all():
        expect(chart.locator(".main-svg").first).to_be_attached()


def test_axe_finds_no_serious_or_critical_violation_on_the_sign_in_form_or_any_page(server, page):
    axe = Axe()
    _, summary_no = other_centers_summary(server.database_url)  # any summary invoice: an admin sees every center
    page.goto(server.url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    found = blocking("sign-in form", axe.run(page).response)
    for spec in PAGES:
        path = f"/{spec.url_path}" + (f"?invoice={summary_no}" if spec.key == "sale_order_summary_details" else "")
        page.goto(server.url + path)
        sign_in(page, "admin", "demo-admin")
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        assert_no_exception(page)
        drawn(page)
        found += blocking(path, axe.run(page).response)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
