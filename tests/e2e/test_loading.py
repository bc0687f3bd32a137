"""A slow load shows a spinner naming what is loading, and the page's data once it has come."""

from __future__ import annotations

import textwrap
from datetime import timedelta

from playwright.sync_api import expect

from tests.conftest import DEMO_END
from tests.e2e.conftest import Server, wait_idle

D0 = DEMO_END - timedelta(days=30)

# A page like Sale Orders whose data call takes 3 s, through the same cached wrapper every page uses.
SLOW_PAGE = textwrap.dedent(f"""
    import time
    from datetime import date

    import streamlit as st

    from syncstatus.reports import documents
    from syncstatus.reports.filters import ReportFilters
    from syncstatus.ui import data

    def sale_orders(engine, center_ids, f):
        time.sleep(3)
        return documents.sale_orders(engine, center_ids, f)

    f = ReportFilters(date.fromisoformat("{D0.isoformat()}"), date.fromisoformat("{DEMO_END.isoformat()}"))
    st.title("Slow sale orders")
    result = data.cached(sale_orders)(tuple(range(1, 50)), f)
    st.write(f"{{len(result.table)}} documents loaded")
""")


def test_a_slow_data_call_shows_a_spinner_naming_what_is_loading(e2e_database, page, tmp_path):
    script = tmp_path / "slow_page.py"
    script.write_text(SLOW_PAGE)
    srv = Server(e2e_database, script=script).start()
    try:
        page.goto(srv.url)
        spinner = page.locator("[data-testid='stSpinner']")
        expect(spinner).to_contain_text(f"Loading sale orders for {D0:%d %b %Y} – {DEMO_END:%d %b %Y}",
                                        timeout=15_000)
        expect(page.get_by_text("documents loaded")).to_be_visible(timeout=30_000)
        expect(spinner).to_have_count(0)
        # Again from the cache: the answer comes at once, with no spinner on the way.
        page.reload()
        expect(page.get_by_text("documents loaded")).to_be_visible(timeout=30_000)
        wait_idle(page)
        expect(spinner).to_have_count(0)
    finally:
        srv.stop()
