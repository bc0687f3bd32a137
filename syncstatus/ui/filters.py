"""The filter bar shared by the report pages. Every widget is bound to the URL, so a view is a link."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from syncstatus.links import Param
from syncstatus.reports.filters import STATUS_CHOICES, ReportFilters, default_range
from syncstatus.schema import PLATFORM_NAMES
from syncstatus.ui.tables import escape_markdown

LEVELS = {"organization": "Organization level", "center": "Center level"}
MAX_DAY = date(2100, 1, 1)


def url_choice(key: str, options: list[str], *, multi: bool, default=None):
    """Make the URL the source of truth for a choice widget whose options are codes shown as names.

    Streamlit's own binding writes the *displayed* label into the URL; we keep codes there
    (?center=C001&center=C002), so links built by syncstatus.links select the same view.
    Invalid values are dropped. Call before the widget; pass `on_change=_to_url, args=(key, multi)`.
    """
    raw = st.query_params.get_all(key)
    if multi:
        wanted = [v for v in dict.fromkeys(raw) if v in options]
    else:
        wanted = raw[-1] if raw and raw[-1] in options else default
    # Assigned on every run, even when equal: after a page switch the widget is a new one and Streamlit would
    # otherwise draw it without the kept value (the Level toggle showed neither option selected).
    st.session_state[key] = wanted
    if (multi and wanted != raw and raw) or (not multi and raw and raw[-1] != wanted):
        _to_url(key, multi)  # drop what was invalid, so the address bar shows the view


def url_date(key: str, default: date) -> None:
    """The URL holds the date (?date_from=2026-01-31); a bad value falls back to the default, with a note."""
    raw = st.query_params.get(key)
    wanted = default
    if raw:
        try:
            wanted = date.fromisoformat(raw[:10])
        except ValueError:
            st.warning(f"Ignored {key}={escape_markdown(repr(raw[:30]))}: not a date (YYYY-MM-DD).")
            st.query_params.pop(key, None)
    if st.session_state.get(key) != wanted:
        st.session_state[key] = wanted


def _date_to_url(key: str, default: date) -> None:
    value = st.session_state.get(key)
    if not value or value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value.isoformat()


def _to_url(key: str, multi: bool, default=None) -> None:
    value = st.session_state.get(key)
    if not value or value == default:
        st.query_params.pop(key, None)
    elif multi:
        st.query_params[key] = list(value)
    else:
        st.query_params[key] = value


def note_out_of_scope(directory: pd.DataFrame) -> None:
    """A shared link may name zones or centers the viewer cannot see: say so, and rewrite the URL to what is shown.

    Without this, a center user opening `?center=C002` sees their own center while the address bar still says C002.
    """
    single = len(directory) <= 1
    for key, column, noun in ((Param.CENTER, "center_code", "centers"), (Param.ZONE, "zone_code", "zones")):
        raw = list(dict.fromkeys(st.query_params.get_all(key)))
        mine = list(dict.fromkeys(directory[column])) if column in directory else []
        foreign = [v for v in raw if v not in mine]
        if not foreign:
            continue
        kept = list(mine) if single else [v for v in raw if v in mine]
        if single or not kept:
            showing = "showing yours"
        else:
            showing = "showing " + ", ".join(kept)
        st.warning(f"{escape_markdown(', '.join(v[:30] for v in foreign))} "
                   f"{'is' if len(foreign) == 1 else 'are'} not among your {noun}; {escape_markdown(showing)}.",
                   icon=":material/link_off:")
        if kept:
            st.query_params[key] = kept
        else:
            st.query_params.pop(key, None)
        if not single and st.session_state.get(key) is not None:
            st.session_state[key] = [v for v in st.session_state[key] if v in mine]


def filter_bar(directory: pd.DataFrame, *, statuses: dict[str, str] | None = None,
               show_status: bool = True, show_level: bool = True, default_days: int = 7) -> ReportFilters:
    """Draw the filters (dates, level, zone, center, platform, status) and return them.

    `directory` is the viewer's centers (reports.filters.center_directory). A viewer with one center
    sees no zone/center pickers: there is nothing to choose.
    """
    d0, d1 = default_range(days=default_days)
    statuses = statuses or STATUS_CHOICES
    zones = directory.drop_duplicates("zone_code").set_index("zone_code")["zone_name"].to_dict()
    names = directory.set_index("center_code")["center_name"].to_dict()
    single_center = len(directory) <= 1
    note_out_of_scope(directory)

    with st.container(border=True):
        c1, c2, c3, c4 = st.columns([1, 1, 1.3, 1.4])
        url_date(Param.DATE_FROM, d0)
        url_date(Param.DATE_TO, d1)
        date_from = c1.date_input("From", key=Param.DATE_FROM, on_change=_date_to_url, args=(Param.DATE_FROM, d0),
                                  min_value=date(2000, 1, 1), max_value=MAX_DAY, format="YYYY-MM-DD")
        date_to = c2.date_input("To", key=Param.DATE_TO, on_change=_date_to_url, args=(Param.DATE_TO, d1),
                                min_value=date(2000, 1, 1), max_value=MAX_DAY, format="YYYY-MM-DD")
        level = "center" if single_center else "organization"
        if show_level and not single_center:
            url_choice(Param.LEVEL, list(LEVELS), multi=False, default="organization")
            level = c3.segmented_control("Level", list(LEVELS), format_func=LEVELS.get, key=Param.LEVEL,
                                         on_change=_to_url, args=(Param.LEVEL, False, "organization")) or "organization"
        status = "all"
        if show_status:
            url_choice(Param.STATUS, list(statuses), multi=False, default="all")
            status = c4.selectbox("Status", list(statuses), format_func=statuses.get, key=Param.STATUS,
                                  on_change=_to_url, args=(Param.STATUS, False, "all"))
        zone_sel: list[str] = []
        center_sel: list[str] = []
        platform_sel: list[str] = []
        if not single_center:
            c5, c6, c7 = st.columns([1, 2, 1])
            url_choice(Param.ZONE, list(zones), multi=True)
            zone_sel = c5.multiselect("Zone", list(zones), format_func=lambda z: zones.get(z, z),
                                      key=Param.ZONE, on_change=_to_url, args=(Param.ZONE, True),
                                      placeholder="All zones")
            pickable = directory[directory["zone_code"].isin(zone_sel)] if zone_sel else directory
            url_choice(Param.CENTER, list(pickable["center_code"]), multi=True)
            if level == "center" and len(st.session_state[Param.CENTER]) > 1:
                st.session_state[Param.CENTER] = st.session_state[Param.CENTER][:1]
            center_sel = c6.multiselect(
                "Center", list(pickable["center_code"]), format_func=lambda c: names.get(c, c),
                key=Param.CENTER, on_change=_to_url, args=(Param.CENTER, True),
                max_selections=1 if level == "center" else None,
                placeholder="Pick one center" if level == "center" else "All centers",
            )
            present = [p for p in PLATFORM_NAMES if p in set(directory["platform"])]
            url_choice(Param.PLATFORM, present, multi=True)
            platform_sel = c7.multiselect("Accounting platform", present, format_func=PLATFORM_NAMES.get,
                                          key=Param.PLATFORM, on_change=_to_url, args=(Param.PLATFORM, True),
                                          placeholder="All platforms")
    if date_from and date_to and date_from > date_to:
        st.warning("The start date is after the end date; the two were swapped.")
        date_from, date_to = date_to, date_from
    if level == "center" and not single_center and not center_sel:
        st.info("Center level: pick one center to see its figures.", icon=":material/info:")
        st.stop()
    return ReportFilters(date_from or d0, date_to or d1, tuple(zone_sel), tuple(center_sel),
                         tuple(platform_sel), status or "all")


def stop_if_no_centers(directory: pd.DataFrame, f: ReportFilters) -> None:
    """The empty state when no center with a sync job is left: say why, then stop the page."""
    if directory.empty or not directory["in_report"].any():
        st.info("No centers with a sync job in your access. Ask an administrator to configure one.")
    else:
        st.info(f"No centers with a sync job match these filters for {f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}. "
                "Widen the dates or clear the zone, center, platform or status filters.")
    st.stop()


def range_note(f: ReportFilters) -> None:
    days = (f.date_to - f.date_from).days + 1
    if days > 366:
        st.caption(f":material/schedule_send: {days} days selected. Large ranges are shown here directly; "
                   "you can also have this view emailed with its CSV/XLSX attached (Email button).")


def yesterday() -> date:
    return date.today() - timedelta(days=1)


def category_filter(container=st) -> tuple[str, ...]:
    """Failure categories (URL parameter `category`, repeated)."""
    from syncstatus import messages

    url_choice(Param.CATEGORY, list(messages.CATEGORIES), multi=True)
    picked = container.multiselect("Failure category", list(messages.CATEGORIES),
                                   format_func=lambda c: messages.CATEGORY_LABELS.get(c, c), key=Param.CATEGORY,
                                   on_change=_to_url, args=(Param.CATEGORY, True), placeholder="All categories")
    return tuple(picked)


def deleted_filter(label: str, container=st) -> bool:
    """Only rows referencing accounts/items deleted or inactive in the platform (URL parameter `deleted`)."""
    wanted = st.query_params.get(Param.DELETED) in ("1", "true", "True")
    if st.session_state.get(Param.DELETED) != wanted:
        st.session_state[Param.DELETED] = wanted
    return bool(container.checkbox(label, key=Param.DELETED, on_change=_flag_to_url, args=(Param.DELETED,)))


def _flag_to_url(key: str) -> None:
    if st.session_state.get(key):
        st.query_params[key] = "1"
    else:
        st.query_params.pop(key, None)


def scope_bar(directory: pd.DataFrame) -> ReportFilters:
    """Zone, center and platform only (URL-bound), for pages that are not about dates (Items, Chart of Accounts)."""
    d0, d1 = default_range()
    note_out_of_scope(directory)
    if len(directory) <= 1:
        return ReportFilters(d0, d1)
    zones = directory.drop_duplicates("zone_code").set_index("zone_code")["zone_name"].to_dict()
    names = directory.set_index("center_code")["center_name"].to_dict()
    with st.container(border=True):
        c5, c6, c7 = st.columns([1, 2, 1])
        url_choice(Param.ZONE, list(zones), multi=True)
        zone_sel = c5.multiselect("Zone", list(zones), format_func=lambda z: zones.get(z, z), key=Param.ZONE,
                                  on_change=_to_url, args=(Param.ZONE, True), placeholder="All zones")
        pickable = directory[directory["zone_code"].isin(zone_sel)] if zone_sel else directory
        url_choice(Param.CENTER, list(pickable["center_code"]), multi=True)
        center_sel = c6.multiselect("Center", list(pickable["center_code"]), format_func=lambda c: names.get(c, c),
                                    key=Param.CENTER, on_change=_to_url, args=(Param.CENTER, True),
                                    placeholder="All centers")
        present = [p for p in PLATFORM_NAMES if p in set(directory["platform"])]
        url_choice(Param.PLATFORM, present, multi=True)
        platform_sel = c7.multiselect("Accounting platform", present, format_func=PLATFORM_NAMES.get,
                                      key=Param.PLATFORM, on_change=_to_url, args=(Param.PLATFORM, True),
                                      placeholder="All platforms")
    return ReportFilters(d0, d1, tuple(zone_sel), tuple(center_sel), tuple(platform_sel))
