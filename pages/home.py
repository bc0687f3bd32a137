"""Overview: the data's date span, documents per status, and where to go next."""

import streamlit as st

from syncstatus import db, operations
from syncstatus.config import load_settings
from syncstatus.reports import overview
from syncstatus.ui import data, tables
from syncstatus.ui.setup import page_setup
from syncstatus.wording import plural

viewer = page_setup("home")
st.title("Overview")

# --- Data freshness banner (Operations, issue 8): centers whose newest sync date is too old ---
stale = data.cached(operations.stale_centers)(viewer.center_ids, db.utcnow().date(), load_settings().stale_after_days)
if not stale.empty:
    named = ", ".join(f"{tables.escape_markdown(r.center_name)} ({r.age})"
                      for r in stale.head(5).itertuples())
    more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
    st.warning(f"Data is stale for {plural(len(stale), 'center')}: {named}{more}. "
               f"Expected a sync date within the last {plural(load_settings().stale_after_days, 'day')}.",
               icon=":material/schedule:")
    st.page_link("pages/operations.py", label="See data freshness and sync jobs in Operations",
                 icon=":material/engineering:")
# --- end of the data freshness banner ---
info = data.cached(overview.summary)(viewer.center_ids)

if info.first_sync_date is None:
    st.info("No sync documents yet. Import a sync-log bundle with `python -m syncstatus import PATH` "
            "(see docs/DATA_FORMAT.md).")
    st.stop()

st.caption(f"{plural(info.centers, 'center')} in your access · documents from {info.first_sync_date:%d %b %Y} "
           f"to {info.last_sync_date:%d %b %Y} · data as of {data.data_as_of():%Y-%m-%d %H:%M:%S}")
cols = st.columns(len(info.by_status))
for col, (status, n) in zip(cols, info.by_status.items(), strict=True):
    col.metric(status, f"{n:,}")
st.dataframe(info.by_line, hide_index=True, width="content",  # thousands separators, as the figures above
             column_config=tables.count_config([c for c in info.by_line.columns if c != "Documents"]))
st.page_link("pages/sync_status.py", label="Open the Integrations Sync Status report", icon=":material/sync_problem:")
