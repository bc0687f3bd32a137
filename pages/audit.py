"""Audit Log: sign-ins, exports, emails, schedule and user changes, newest first (administrators only)."""

import streamlit as st

from syncstatus import audit
from syncstatus.ui import data, tables
from syncstatus.ui.setup import page_setup
from syncstatus.ui.state import StateKeys
from syncstatus.wording import plural

viewer = page_setup("audit")
st.title("Audit Log")

left, right = st.columns([2, 1])
action = left.selectbox("Action", audit.ACTIONS, index=None, placeholder="All actions", key=StateKeys.AUDIT_ACTION,
                        format_func=lambda a: a.replace("_", " "))
limit = right.number_input("Newest events", min_value=10, max_value=10_000, value=500, step=100,
                           key=StateKeys.AUDIT_LIMIT)
events = audit.recent(data.engine(), limit=limit, action=action)

st.caption(f"{plural(len(events), 'event')}, newest first; times in UTC.")
st.dataframe(events, hide_index=True, width="stretch",
             column_config={"at": st.column_config.DatetimeColumn("At (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                            "username": "User", "action": "Action", "detail": "Detail"})
tables.download(st, "Download CSV", events, report="audit_log", file_name="audit_log.csv", key="csv_audit_log",
                detail={"action": action})
