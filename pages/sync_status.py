"""Integrations Sync Status: per zone and center, what was processed, is pending or failed, and why."""

import streamlit as st

from syncstatus import links
from syncstatus.reports import filters as rfilters
from syncstatus.reports import sync_status
from syncstatus.ui import data, tables
from syncstatus.ui.email import email_button
from syncstatus.ui.filters import filter_bar, range_note, stop_if_no_centers
from syncstatus.ui.setup import page_setup

viewer = page_setup("sync_status")
st.title("Integrations Sync Status")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = filter_bar(directory)
range_note(f)
report = data.cached(sync_status.build)(viewer.center_ids, f)

marks = sync_status.row_marks(report.table)
tables.toolbar(report.table, "sync_status", f, highlight=marks, totals_last_row=True,
               title="Integrations Sync Status")
email_button("sync_status", viewer, f)

if report.body.empty:
    stop_if_no_centers(directory, f)

totals = report.totals
m = st.columns(4)
m[0].metric("Invoices", f"{totals['Total Invoices']:,}")
m[1].metric("Failed invoices", f"{totals['Failed Invoices']:,}")
m[2].metric("Pending invoices", f"{totals['Pending Invoices']:,}")
m[3].metric("Failed misc. journals", f"{totals['Failed Misc. Journals']:,}")
if totals["Total Invoices"] + totals["Total Misc. Journals"] == 0:
    st.info("No documents in these dates for the selected centers.")

st.caption("Click a count to open the documents behind it. Rows with failures are shaded red; yellow rows have "
           "documents on dates without a sync configuration (counted Invoice Wise, see Operations › Data problems). "
           "The totals of every center listed stay above the table.")
config = {**tables.sync_status_config(sync_status.COUNT_COLUMNS),
          # wide enough for "Invoice Wise → Day Wise (switched on 12 Nov)" to be read whole
          "Mode": st.column_config.TextColumn("Mode", width=min(380, 40 + 7 * int(
              report.table["Mode"].str.len().max() or 12)))}
# The totals row is a table of its own above the centers: it stays in sight however far the centers scroll.
totals_event = st.dataframe(
    tables.highlight_rows(report.table.iloc[[-1]], ["total"]),
    key=f"sync_status_totals_{tables.filters_key(f)}",
    on_select="rerun",
    selection_mode="single-cell",
    hide_index=True,
    width="stretch",
    height=38 + 35,
    column_config=config,
)
event = st.dataframe(
    tables.highlight_rows(report.body, marks[:-1]),
    key=f"sync_status_table_{tables.filters_key(f)}",
    on_select="rerun",
    selection_mode="single-cell",
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * max(len(report.body), 1), 640),
    column_config=config,
)
with st.expander("Response messages in full"):
    # Platforms' messages come from the imported data: text, never markdown.
    for _, row in report.body.iterrows():
        if isinstance(row["Response message"], str) and row["Response message"]:
            st.markdown(f"**{tables.escape_markdown(row['Center Name'])}**: "
                        f"{tables.escape_markdown(row['Response message'])}")
target = tables.sync_status_drill(event, report, f) or tables.sync_status_drill(totals_event, report, f, totals=True)
if target is not None:
    st.switch_page(target.path, query_params=target.params)

if not report.causes.empty:
    st.subheader("Why documents failed")
    st.dataframe(report.causes.drop(columns=["category"]), hide_index=True, width="stretch",
                 column_config=tables.count_config(["Failed documents", "Centers"], wide=("What to do",)))

st.page_link(links.to("trends", **rfilters.to_params(f)).path, label="See the trend of these figures",
             icon=":material/monitoring:", query_params=rfilters.to_params(f))
