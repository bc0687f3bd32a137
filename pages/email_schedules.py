"""Email Schedules: reports and alerts sent on a timetable, each recipient receiving only their own centers."""

import pandas as pd
import streamlit as st

from syncstatus import db, schedules
from syncstatus.reports import filters as rfilters
from syncstatus.ui import data, tables
from syncstatus.ui.email import load_into_form, schedule_form
from syncstatus.ui.setup import page_setup
from syncstatus.ui.state import StateKeys

viewer = page_setup("email_schedules")
st.title("Email schedules")
st.caption("Reports emailed on a timetable, and alerts that email only when something needs attention. "
           "Each recipient with an account receives only the centers that account may see. "
           "Sent and failed emails are listed in the Delivery Log.")

engine = data.engine()
# Nothing is sent unless the schedule runner checks every minute: say when it last did, and warn when it is silent.
last_run = schedules.last_heartbeat(engine)
if schedules.runner_silent(last_run, db.utcnow()):
    since = f"it last ran {last_run:%Y-%m-%d %H:%M} UTC" if last_run else "it has never run against this database"
    st.warning("The schedule runner is not running: start it with `python -m syncstatus scheduler` (`make run` "
               f"starts it beside the dashboard). Scheduled emails and alerts are not sent until it runs; {since}.",
               icon=":material/schedule:")
else:
    st.caption(f":material/check_circle: The schedule runner last checked for due schedules at "
               f"{last_run:%Y-%m-%d %H:%M} UTC.")
items = schedules.list_schedules(engine, viewer.username, viewer.is_admin)
by_id = {s.id: s for s in items}

if not items:
    st.info("No schedules yet. Create the first one below: pick a report, its dates and filters, when to send "
            "and to whom.", icon=":material/schedule_send:")
else:
    table = pd.DataFrame([schedules.describe(s) for s in items])
    st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch",
                 column_config={"Only when issues": st.column_config.CheckboxColumn("Only when issues")})
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    sid = c1.selectbox("Schedule", list(by_id), format_func=lambda i: f"#{i} · {by_id[i].name}",
                       key="email_schedule_pick")
    chosen = by_id[sid]
    c2.button("Edit", icon=":material/edit:", key="email_schedule_edit", on_click=load_into_form, args=(chosen,))
    if c3.button("Resume" if chosen.paused else "Pause", key="email_schedule_pause",
                 icon=":material/play_arrow:" if chosen.paused else ":material/pause:"):
        schedules.set_paused(engine, chosen.id, not chosen.paused, viewer.username)
        st.session_state[StateKeys.FLASH] = f"Schedule #{chosen.id} {'resumed' if chosen.paused else 'paused'}."
        st.rerun()
    with c4.popover("Delete", icon=":material/delete:"):
        st.write(f"Delete **{tables.escape_markdown(chosen.name)}**? Its past deliveries stay in the Delivery Log.")
        if st.button("Delete for good", type="primary", key="email_schedule_delete"):
            schedules.delete(engine, chosen.id, viewer.username)
            st.session_state[StateKeys.FLASH] = f"Schedule #{chosen.id} deleted."
            st.session_state[StateKeys.EMAIL_SCHEDULE_RESET] = True
            st.rerun()

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
schedule_form(viewer, directory)
