"""page_setup(): the first call of every page, whether reached through dashboard.py or a cold deep link."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from syncstatus import db, links
from syncstatus.access import Viewer
from syncstatus.config import ConfigError
from syncstatus.ui import data, signin
from syncstatus.ui.state import StateKeys


def page_setup(page_key: str) -> Viewer:
    """Configure the page, require a signed-in viewer, draw the sidebar; stops the script otherwise."""
    spec = links.PAGE_BY_KEY[page_key]
    # An emoji icon is drawn in the browser; a :material/…: one is fetched from fonts.gstatic.com on every page.
    st.set_page_config(page_title=f"{spec.title} · syncstatus", page_icon="🔄", layout="wide")
    try:
        engine = data.engine()
        db.check_connection(engine)
    except (ConfigError, db.DatabaseUnavailable) as exc:
        data.database_unavailable(str(exc))
    viewer = signin.require_viewer(engine)
    if st.session_state.pop(StateKeys.JUST_SIGNED_IN, False) and page_key == "home":
        st.switch_page(links.PAGE_BY_KEY["sync_status"].path)  # a deep link keeps its own page instead
    if spec.admin_only and not viewer.is_admin:
        st.error("This page is for organization administrators.")
        st.stop()
    sidebar(viewer)
    flash = st.session_state.pop(StateKeys.FLASH, None)
    if flash:
        st.toast(flash)
    return viewer


def run_page(page) -> None:
    """Run the navigation's page; a database error anywhere in it (not only in a cached query) shows the plain
    message instead of a traceback."""
    with data.database_errors_shown_plainly():
        page.run()


def sidebar(viewer: Viewer) -> None:
    with st.sidebar:
        st.markdown("### :material/sync: syncstatus")
        group = None
        for spec in links.PAGES:
            if not spec.in_menu or (spec.admin_only and not viewer.is_admin):
                continue
            if spec.group != group:
                group = spec.group
                st.caption(group)
            # The current page is a live link too (Streamlit highlights it): a disabled one is drawn at 40 %
            # opacity, unreadable (axe color-contrast, docs/ACCESSIBILITY.md). A click reruns the page, whose
            # filters stay as they are (no query here: it would be the previous run's after a filter change).
            try:
                st.page_link(spec.path, label=spec.title, icon=spec.icon)
            except StreamlitPageNotFoundError:
                # Run outside the navigation (a page script started on its own): a plain link still works.
                st.markdown(f"[{spec.title}](/{spec.url_path})")
        st.divider()
        signin.account_box(viewer)


def nav_pages() -> list:
    """Every page for st.navigation (hidden menu: the sidebar above is ours)."""
    # No icon: the menu is hidden, and a page's :material/…: icon would become the favicon, fetched from
    # fonts.gstatic.com (page_setup sets an emoji one, drawn in the browser).
    return [st.Page(p.path, title=p.title, url_path=p.url_path or None, default=p.key == "home")
            for p in links.PAGES]
