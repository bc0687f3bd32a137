"""Delivery Log: every email attempt, its outcome and error, with a manual resend."""

import pandas as pd
import streamlit as st

from syncstatus import schedules
from syncstatus.ui import data, tables
from syncstatus.ui.setup import page_setup
from syncstatus.ui.state import StateKeys

viewer = page_setup("email_deliveries")
st.title("Delivery log")
st.caption(f"Every email sent from a schedule, an alert or the Email button. A failed send is retried after "
           f"{', '.join(str(m) for m in schedules.BACKOFF_MINUTES)} minutes; after {schedules.MAX_ATTEMPTS} "
           "attempts it stays failed. Times are UTC. A subject keeps its figures only when the recipient's "
           "centers are all the sender's; a refused recipient's reason is in the Error column.")

engine = data.engine()
c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
picked = c1.multiselect("Status", list(schedules.STATUSES), key="delivery_status", placeholder="All statuses")
if c2.button("Refresh", icon=":material/refresh:", key="delivery_refresh"):
    st.rerun()
log = schedules.deliveries(engine, viewer.username, viewer.is_admin, statuses=picked or list(schedules.STATUSES))

if log.empty:
    st.info("No deliveries with these statuses. Clear the status filter." if picked else
            "Nothing has been emailed yet. Use the Email button on a report, or create a schedule under "
            "Email Schedules.", icon=":material/outbox:")
    st.stop()

view = pd.DataFrame({
    "Time": log["created_at"], "Schedule": log["schedule_name"].fillna("Email now"), "Recipients": log["recipients"],
    "Status": log["status"], "Attempts": log["attempts"], "Next attempt": log["next_attempt_at"],
    "Sent": log["sent_at"], "Subject": log["subject"], "Error": log["error"].fillna(""),
})
marks = ["failed" if s == "failed" else "warning" if s in ("retrying", "refused") else None for s in view["Status"]]
st.dataframe(tables.highlight_rows(view, marks), hide_index=True, width="stretch", column_config={
    "Time": st.column_config.DatetimeColumn("Time", format="YYYY-MM-DD HH:mm:ss"),
    "Next attempt": st.column_config.DatetimeColumn("Next attempt", format="YYYY-MM-DD HH:mm"),
    "Sent": st.column_config.DatetimeColumn("Sent", format="YYYY-MM-DD HH:mm:ss"),
    "Attempts": st.column_config.NumberColumn("Attempts", width="small"),
    "Error": st.column_config.TextColumn("Error", width="large"),
})

rows = {int(r.id): r for r in log.itertuples()}
c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
pick = c1.selectbox("Send again", list(rows), key="delivery_resend_pick",
                    format_func=lambda i: f"#{i} · {rows[i].recipients} · {rows[i].status} · {rows[i].subject[:60]}")
if c2.button("Resend", icon=":material/send:", key="delivery_resend"):
    try:
        outcome = schedules.resend(engine, pick, viewer.username)
    except LookupError as exc:
        st.error(tables.escape_markdown(exc))
    else:
        st.session_state[StateKeys.FLASH] = tables.escape_markdown(
            f"Delivery #{pick} resent to {outcome.recipient}: {outcome.status}"
            + (f" ({outcome.error})" if outcome.error else ""))
        st.rerun()
