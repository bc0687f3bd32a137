"""Email from the dashboard: the "Email" button of a report page, and the schedule form of the schedules page.

Both only collect input and call syncstatus.schedules; what is sent, to whom and with which centers is
decided there (and tested without Streamlit).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from syncstatus import mail, schedules
from syncstatus.access import Viewer
from syncstatus.reports.filters import STATUS_CHOICES, ReportFilters
from syncstatus.schema import PLATFORM_NAMES
from syncstatus.ui import data
from syncstatus.ui.state import StateKeys
from syncstatus.ui.tables import escape_markdown

FORMAT_LABELS = {"csv": "CSV", "xlsx": "XLSX (Excel)"}
COMMON_TIMEZONES = ("UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                    "Europe/London", "Europe/Paris", "Asia/Kolkata", "Asia/Singapore", "Australia/Sydney")


def email_button(report_key: str, viewer: Viewer, f: ReportFilters) -> None:
    """A button that opens the Email dialog for this report and these filters."""
    if st.button("Email", icon=":material/mail:", key=f"email_{report_key}",
                 help="Email this view (with its filters) as a summary plus CSV/XLSX of every row"):
        st.session_state[StateKeys.EMAIL_DIALOG_OPEN] = report_key
    # Kept open across full reruns until dismissed, not only on the click's run.
    if st.session_state.get(StateKeys.EMAIL_DIALOG_OPEN) == report_key:
        email_dialog(report_key, viewer, f)


def _close_dialog() -> None:
    st.session_state.pop(StateKeys.EMAIL_DIALOG_OPEN, None)


@st.dialog("Email this report", width="medium", on_dismiss=_close_dialog)
def email_dialog(report_key: str, viewer: Viewer, f: ReportFilters) -> None:
    spec = mail.REPORTS[report_key]
    from syncstatus.reports import filters as rfilters

    directory = data.cached(rfilters.center_directory)(viewer.center_ids)  # names, as the subject says them
    st.markdown(f"**{spec.title}** · {escape_markdown(mail.describe_filters(f, directory))}")
    st.caption("The message has a summary in its body and the full data attached. A recipient who has an "
               "account receives only the centers that account may see.")
    with st.form(f"email_now_{report_key}", border=False):
        to = st.text_area("To", value=getattr(viewer, "email", None) or "", height=68,
                          placeholder="name@example.com, other@example.com",
                          help="One or more addresses, separated by commas")
        formats = st.multiselect("Attach", list(mail.FORMATS), default=list(mail.FORMATS),
                                 format_func=FORMAT_LABELS.get)
        send = st.form_submit_button("Send", type="primary", icon=":material/send:")
    if not send:
        return
    try:
        with st.spinner("Building and sending…"):
            outcomes = schedules.send_now(data.engine(), report_key, f, to, formats, viewer.username,
                                          viewer.center_ids)
    except mail.InvalidAddress as exc:
        st.error(escape_markdown(exc), icon=":material/alternate_email:")
        return
    for o in outcomes:
        if o.status == "sent":
            st.success(f"Sent to {escape_markdown(o.recipient)}.", icon=":material/check_circle:")
        elif o.status == "retrying":
            st.warning(f"Could not send to {escape_markdown(o.recipient)} yet ({escape_markdown(o.error)}); it will be "
                       "retried automatically. "
                       "See the Delivery Log.", icon=":material/schedule:")
        else:
            st.error(f"{escape_markdown(o.recipient)}: {schedules.STATUSES.get(o.status, o.status)}"
                     + (f" ({escape_markdown(o.error)})" if o.error else ""))


# --- the schedule form -----------------------------------------------------------------------------

def _k(name: str) -> str:
    return StateKeys.EMAIL_SCHEDULE_FORM + name


def load_into_form(s: schedules.Schedule | None) -> None:
    """Fill the form's widgets from a schedule (None: a blank new schedule). Call from a button callback."""
    s = s or schedules.Schedule(name="", report="sync_status", date_range="yesterday",
                                frequency=schedules.Frequency(), timezone="UTC", recipients=[])
    name, _, n = s.date_range.partition(":")
    c = s.condition or schedules.Condition()
    values = {
        "name": s.name, "kind": s.kind, "report": s.report, "date_range": name, "n_days": int(n or 14),
        "freq": s.frequency.kind, "at": schedules.parse_hhmm(s.frequency.at), "weekdays": list(s.frequency.weekdays),
        "day": s.frequency.day, "timezone": s.timezone, "recipients": ", ".join(s.recipients),
        "formats": list(s.formats), "only_when_issues": s.only_when_issues,
        "zone": list(s.filters.get("zone", [])), "center": list(s.filters.get("center", [])),
        "platform": list(s.filters.get("platform", [])), "status": s.filters.get("status") or "all",
        "cond_type": c.type, "threshold": float(c.threshold), "factor": float(c.factor),
        "baseline_days": int(c.baseline_days), "quiet_hours": float(c.quiet_hours),
    }
    for k, v in values.items():
        st.session_state[_k(k)] = v
    st.session_state[StateKeys.EMAIL_SCHEDULE_EDITING] = s.id


def schedule_form(viewer: Viewer, directory: pd.DataFrame) -> int | None:
    """Draw the create/edit form; on Save, validate and store. Returns the saved schedule's id, else None."""
    if _k("name") not in st.session_state or st.session_state.pop(StateKeys.EMAIL_SCHEDULE_RESET, False):
        load_into_form(None)
    editing = st.session_state.get(StateKeys.EMAIL_SCHEDULE_EDITING)
    with st.container(border=True):
        st.subheader(f"Edit schedule #{editing}" if editing else "New schedule")
        c1, c2, c3 = st.columns([2, 1, 1.4])
        c1.text_input("Name", key=_k("name"), max_chars=200, placeholder="Daily failures for the finance team")
        kind = c2.segmented_control("Kind", list(schedules.KINDS), format_func=schedules.KINDS.get, key=_k("kind"),
                                    help="An alert sends only when its condition holds") or "report"
        c3.selectbox("Report", list(mail.REPORTS), format_func=lambda r: mail.REPORTS[r].title, key=_k("report"))

        c1, c2, c3 = st.columns([1.4, 1, 1.4])
        rng = c1.selectbox("Dates", list(schedules.DATE_RANGES), format_func=schedules.DATE_RANGES.get,
                           key=_k("date_range"), help="Relative to the day the email is sent, in its timezone")
        if rng == "last_n_days":
            c2.number_input("N days", min_value=1, max_value=3660, step=1, key=_k("n_days"))
        tz_options = sorted(set(COMMON_TIMEZONES) | schedules.timezones())
        c3.selectbox("Timezone", tz_options, key=_k("timezone"))

        c1, c2, c3 = st.columns([1.4, 1, 1.4])
        freq = c1.selectbox("Frequency", list(schedules.FREQUENCIES), format_func=schedules.FREQUENCIES.get,
                            key=_k("freq"))
        c2.time_input("At (local time)" if freq != "hourly" else "At minute (local)", key=_k("at"), step=300)
        if freq == "weekly":
            c3.multiselect("Weekdays", list(range(7)), format_func=lambda d: schedules.WEEKDAYS[d], key=_k("weekdays"))
        elif freq == "monthly":
            c3.number_input("Day of month", min_value=1, max_value=31, step=1, key=_k("day"),
                            help="29–31: the last day in shorter months")

        zones = directory.drop_duplicates("zone_code").set_index("zone_code")["zone_name"].to_dict()
        names = directory.set_index("center_code")["center_name"].to_dict()
        c1, c2, c3, c4 = st.columns([1, 2, 1, 1.2])
        c1.multiselect("Zone", list(zones), format_func=lambda z: zones.get(z, z), key=_k("zone"),
                       placeholder="All zones")
        c2.multiselect("Center", list(names), format_func=lambda c: names.get(c, c), key=_k("center"),
                       placeholder="All centers")
        present = [p for p in PLATFORM_NAMES if p in set(directory["platform"])]
        c3.multiselect("Accounting platform", present, format_func=PLATFORM_NAMES.get, key=_k("platform"),
                       placeholder="All platforms")
        c4.selectbox("Status", list(STATUS_CHOICES), format_func=STATUS_CHOICES.get, key=_k("status"))

        st.text_area("Recipients", key=_k("recipients"), height=68, placeholder="name@example.com, other@example.com",
                     help="Each recipient with an account receives only the centers that account may see; "
                          "other addresses receive the schedule owner's centers.")
        c1, c2 = st.columns([1, 2])
        c1.multiselect("Attach", list(mail.FORMATS), format_func=FORMAT_LABELS.get, key=_k("formats"))
        if kind == "report":
            c2.checkbox("Send only when there are failures or pending documents", key=_k("only_when_issues"))
        else:
            c1, c2, c3 = st.columns([1.6, 1, 1])
            cond = c1.selectbox("Alert when", list(schedules.CONDITIONS), format_func=schedules.CONDITIONS.get,
                                key=_k("cond_type"))
            if cond == "failed_count":
                c2.number_input("More than (documents)", min_value=0.0, step=1.0, key=_k("threshold"))
            elif cond == "failure_rate":
                c2.number_input("Above (%)", min_value=0.0, max_value=100.0, step=0.5, key=_k("threshold"))
            elif cond == "spike":
                c2.number_input("Times the baseline", min_value=1.1, step=0.5, key=_k("factor"))
                c3.number_input("Baseline days", min_value=1, max_value=365, step=1, key=_k("baseline_days"))
            st.number_input("Quiet period (hours): no repeat of the same alert until the condition clears or this "
                            "passes", min_value=0.0, step=1.0, key=_k("quiet_hours"))

        b1, b2, _ = st.columns([1, 1, 4])
        save = b1.button("Save changes" if editing else "Create schedule", type="primary", key=_k("save"),
                         icon=":material/save:")
        if editing:
            b2.button("Cancel", key=_k("cancel"), on_click=load_into_form, args=(None,))
    if not save:
        return None
    return _save(viewer, editing)


def _save(viewer: Viewer, editing: int | None) -> int | None:
    v = {k[len(StateKeys.EMAIL_SCHEDULE_FORM):]: st.session_state.get(k) for k in list(st.session_state)
         if str(k).startswith(StateKeys.EMAIL_SCHEDULE_FORM)}
    at = v.get("at")
    rng = v.get("date_range") or "yesterday"
    filters = {"zone": list(v.get("zone") or []), "center": list(v.get("center") or []),
               "platform": list(v.get("platform") or [])}
    filters = {k: val for k, val in filters.items() if val}
    if (v.get("status") or "all") != "all":
        filters["status"] = v["status"]
    kind = v.get("kind") or "report"
    s = schedules.Schedule(
        id=editing, name=v.get("name") or "", kind=kind, report=v.get("report") or "sync_status",
        date_range=f"last_n_days:{int(v.get('n_days') or 14)}" if rng == "last_n_days" else rng,
        frequency=schedules.Frequency(v.get("freq") or "daily", at.strftime("%H:%M") if at else "",
                                      tuple(v.get("weekdays") or ()), int(v.get("day") or 1)),
        timezone=v.get("timezone") or "UTC", recipients=v.get("recipients") or "",
        formats=tuple(v.get("formats") or ()), filters=filters,
        only_when_issues=bool(v.get("only_when_issues")) and kind == "report",
        condition=schedules.Condition(v.get("cond_type") or "any_failures", float(v.get("threshold") or 0),
                                      float(v.get("factor") or 2), int(v.get("baseline_days") or 14),
                                      quiet_hours=float(v.get("quiet_hours") or 0)) if kind == "alert" else None,
    )
    try:
        sid = schedules.save(data.engine(), s, viewer.username)
    except schedules.ScheduleInvalid as exc:
        st.error("The schedule was not saved:\n\n" + "\n".join(f"- {escape_markdown(p)}" for p in exc.problems),
                 icon=":material/error:")
        return None
    # Widgets cannot be reset after they were drawn in this run: clear the form on the next one.
    st.session_state[StateKeys.EMAIL_SCHEDULE_RESET] = True
    st.session_state[StateKeys.FLASH] = f"Schedule #{sid} saved."
    st.rerun()
