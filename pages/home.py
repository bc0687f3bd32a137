"""Overview: the data's date span, documents per status, and where to go next."""

import streamlit as st

from syncstatus.reports import overview
from syncstatus.ui import data
from syncstatus.ui.setup import page_setup

viewer = page_setup("home")
st.title("Overview")
info = data.cached(overview.summary)(viewer.center_ids)

if info.first_sync_date is None:
    st.info("No sync documents yet. Import a sync-log bundle with `python -m syncstatus import PATH` "
            "(see docs/DATA_FORMAT.md).")
    st.stop()

st.caption(f"{info.centers} centers in your access · documents from {info.first_sync_date:%d %b %Y} "
           f"to {info.last_sync_date:%d %b %Y} · data as of {data.data_as_of():%Y-%m-%d %H:%M:%S}")
cols = st.columns(len(info.by_status))
for col, (status, n) in zip(cols, info.by_status.items(), strict=True):
    col.metric(status, f"{n:,}")
st.dataframe(info.by_line, hide_index=True, width="content")
st.page_link("pages/sync_status.py", label="Open the Integrations Sync Status report", icon=":material/sync_problem:")
