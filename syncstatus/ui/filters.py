"""The filter bar shared by the report pages. Every widget is bound to the URL, so a view is a link."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from syncstatus.links import Param
from syncstatus.reports.filters import STATUS_CHOICES, ReportFilters, default_range
from syncstatus.schema import PLATFORM_NAMES

LEVELS = {"organization": "Organization level", "center": "Center level"}
MAX_DAY = date(2100, 1, 1)


def filter_bar(directory: pd.DataFrame, *, statuses: dict[str, str] | None = None,
               show_status: bool = True, show_level: bool = True) -> ReportFilters:
    """Draw the filters (dates, level, zone, center, platform, status) and return them.

    `directory` is the viewer's centers (reports.filters.center_directory). A viewer with one center
    sees no zone/center pickers: there is nothing to choose.
    """
    d0, d1 = default_range()
    statuses = statuses or STATUS_CHOICES
    zones = directory.drop_duplicates("zone_code").set_index("zone_code")["zone_name"].to_dict()
    names = directory.set_index("center_code")["center_name"].to_dict()
    single_center = len(directory) <= 1

    with st.container(border=True):
        c1, c2, c3, c4 = st.columns([1, 1, 1.3, 1.4])
        date_from = c1.date_input("From", value=d0, key=Param.DATE_FROM, bind="query-params",
                                  min_value=date(2000, 1, 1), max_value=MAX_DAY, format="YYYY-MM-DD")
        date_to = c2.date_input("To", value=d1, key=Param.DATE_TO, bind="query-params",
                                min_value=date(2000, 1, 1), max_value=MAX_DAY, format="YYYY-MM-DD")
        level = "center" if single_center else "organization"
        if show_level and not single_center:
            level = c3.segmented_control("Level", list(LEVELS), format_func=LEVELS.get, key=Param.LEVEL,
                                         default="organization", bind="query-params") or "organization"
        status = "all"
        if show_status:
            status = c4.selectbox("Status", list(statuses), format_func=statuses.get, key=Param.STATUS,
                                  bind="query-params")
        zone_sel: list[str] = []
        center_sel: list[str] = []
        platform_sel: list[str] = []
        if not single_center:
            c5, c6, c7 = st.columns([1, 2, 1])
            zone_sel = c5.multiselect("Zone", list(zones), format_func=lambda z: zones.get(z, z),
                                      key=Param.ZONE, bind="query-params", placeholder="All zones")
            pickable = directory[directory["zone_code"].isin(zone_sel)] if zone_sel else directory
            center_sel = c6.multiselect(
                "Center", list(pickable["center_code"]), format_func=lambda c: names.get(c, c),
                key=Param.CENTER, bind="query-params",
                max_selections=1 if level == "center" else None,
                placeholder="Pick one center" if level == "center" else "All centers",
            )
            present = [p for p in PLATFORM_NAMES if p in set(directory["platform"])]
            platform_sel = c7.multiselect("Accounting platform", present, format_func=PLATFORM_NAMES.get,
                                          key=Param.PLATFORM, bind="query-params", placeholder="All platforms")
    if date_from and date_to and date_from > date_to:
        st.warning("The start date is after the end date; the two were swapped.")
        date_from, date_to = date_to, date_from
    if level == "center" and not single_center and not center_sel:
        st.info("Center level: pick one center to see its figures.", icon=":material/info:")
        st.stop()
    return ReportFilters(date_from or d0, date_to or d1, tuple(zone_sel), tuple(center_sel),
                         tuple(platform_sel), status or "all")


def range_note(f: ReportFilters) -> None:
    days = (f.date_to - f.date_from).days + 1
    if days > 366:
        st.caption(f":material/schedule_send: {days} days selected. Large ranges are shown here directly; "
                   "you can also have this view emailed with its CSV/XLSX attached (Email button).")


def yesterday() -> date:
    return date.today() - timedelta(days=1)
