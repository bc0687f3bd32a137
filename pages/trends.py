"""Trends: is it getting better or worse, where, and why. Click a bar or point to open the documents behind it."""

import streamlit as st

from syncstatus import charts
from syncstatus.links import Param
from syncstatus.reports import filters as rfilters
from syncstatus.reports import trends
from syncstatus.ui import data, tables
from syncstatus.ui.filters import filter_bar, range_note, stop_if_no_centers
from syncstatus.ui.setup import page_setup

viewer = page_setup("trends")
st.title("Trends")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = filter_bar(directory, default_days=91)  # a trend needs a quarter to show one
range_note(f)
# Bound widgets read their displayed label from the URL; links carry codes (grain=week): adopt them first.
for param, choices, default in ((Param.GRAIN, trends.GRAINS, "day"), (Param.BY, trends.BREAKDOWNS, "center")):
    if st.query_params.get(param) in choices:
        st.session_state[param] = st.query_params[param]
    st.session_state.setdefault(param, default)
c1, c2, _ = st.columns([1.2, 1.2, 3])
grain = c1.segmented_control("Group by", list(trends.GRAINS), format_func=trends.GRAINS.get, key=Param.GRAIN,
                             bind="query-params") or "day"
by = c2.segmented_control("Break down by", list(trends.BREAKDOWNS), format_func=trends.BREAKDOWNS.get,
                          key=Param.BY, bind="query-params") or "center"

t = data.cached(trends.build)(viewer.center_ids, f, grain, by)
tables.toolbar(trends.volume_table(t.volume), "trends", f, title="Trends: failed vs processed")

if t.directory.empty:
    stop_if_no_centers(directory, f)
if t.empty:
    st.info(f"No invoices or misc. journals in {f.date_from:%d %b %Y} – {f.date_to:%d %b %Y} for the "
            f"{len(t.directory)} selected centers. Widen the dates to see a trend.")
    st.stop()

key = tables.filters_key(f) + grain + by
drill = []  # plotly_chart selection events; the first click found opens its documents


def chart(fig, name: str):
    drill.append(st.plotly_chart(fig, key=f"trends_{name}_{key}", on_select="rerun", selection_mode=("points",),
                                 config={"displaylogo": False}))


counts = trends.headline(t)
settled, failed = counts["processed"] + counts["failed"], counts["failed"]
m = st.columns(4)
label, what = trends.FIGURES["rate"]
m[0].metric(label, f"{failed / settled:.1%}" if settled else "—", help=what)
label, what = trends.FIGURES["failed"]
m[1].metric(label, f"{failed:,}", help=what)
label, what = trends.FIGURES["pending"]
m[2].metric(label, f"{counts['pending']:,}", help=what)
label, what = trends.FIGURES["spikes"]
m[3].metric(label, f"{len(t.spikes):,}", help=what)

st.subheader("Failed vs processed")
st.caption("Stacked: processed, pending and failed documents per period; line: failure rate. Red triangles mark "
           "a center's failure spike. Click a bar or point to open its documents.")
chart(charts.volume_figure(t.volume, grain, t.spikes), "volume")

st.subheader("Where")
chart(charts.breakdown_figure(t.breakdown, by, f), "breakdown")

st.subheader("Why: failures by root cause")
chart(charts.causes_figure(t.causes, grain), "causes")
if not t.top_causes.empty:
    st.markdown("**What to do about the top causes**")
    for _, r in t.top_causes.iterrows():
        mark = ":orange[**⚠**] " if r["category"] == trends.DELETED_CATEGORY else ""
        st.markdown(f"- {mark}**{tables.escape_markdown(r['Cause'])}** — {r['Failed documents']:,} "
                    f"{trends.TOP_CAUSE_UNIT} ({r['Share']:.0%}): {tables.escape_markdown(r['What to do'])}")

st.subheader("Deleted accounts and items")
st.caption(trends.DELETED_REFS_CAPTION)
chart(charts.deleted_refs_figure(t.deleted_refs, f), "deleted")
if not t.deleted_refs.empty:
    deleted = trends.deleted_table(t.deleted_refs)
    st.dataframe(tables.highlight_rows(deleted, [True] * len(deleted), "deleted"), hide_index=True, width="stretch",
                 column_config=tables.count_config(["Failed documents (all kinds)", "Pending documents (all kinds)",
                                                    "Blocked documents (all kinds)"]))
    tables.download(st, "Deleted references CSV", deleted, report="trends_deleted_refs", f=f,
                    file_name="trends_deleted_refs.csv", key="csv_trends_deleted")

st.subheader("Pending age")
st.caption(f"Pending documents of the selected dates by age (today {t.today:%d %b %Y} minus sync date). "
           "Move **From** back to include older pending documents.")
chart(charts.pending_age_figure(t.pending_age, t.today, f), "pending")

st.subheader("Failure spikes")
r = t.rule
st.caption(f"A day where a center's failure rate exceeds its {r.window_days}-day trailing baseline by more than "
           f"max({r.k_std:g} × std, {r.min_rise:.0%}), with at least {r.min_documents} processed or failed documents.")
if t.spikes.empty:
    st.info("No failure spikes in these dates.", icon=":material/check_circle:")
else:
    chart(charts.spikes_figure(t.spikes), "spikes")
    spikes = trends.spikes_table(t.spikes)
    st.dataframe(spikes, hide_index=True, width="stretch")
    tables.download(st, "Spikes CSV", spikes, report="trends_spikes", f=f, file_name="trends_spikes.csv",
                    key="csv_trends_spikes")

target = next((link for event in drill if (link := trends.selected_link(event, f)) is not None), None)
if target is not None:
    st.switch_page(target.path, query_params=target.params)
