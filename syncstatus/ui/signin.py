"""Sign-in check. Placeholder until the access work lands: everyone is an organization admin."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from syncstatus.access import Viewer, all_center_ids
from syncstatus.ui.state import StateKeys


def require_viewer(engine: sa.Engine) -> Viewer:
    viewer = st.session_state.get(StateKeys.VIEWER)
    if viewer is None:
        viewer = Viewer("admin", "admin", "Administrator", all_center_ids(engine))
        st.session_state[StateKeys.VIEWER] = viewer
    return viewer


def account_box(viewer: Viewer) -> None:
    st.caption(f"Signed in as **{viewer.display_name}** ({viewer.role})")
