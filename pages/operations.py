"""Operations: per center, which sync jobs run and how they went, what is stuck, and whether the data is fresh."""

import functools

import streamlit as st

from syncstatus import db, operations
from syncstatus.config import load_settings
from syncstatus.reports import filters as rfilters
from syncstatus.ui import data, tables
from syncstatus.ui.filters import filter_bar
from syncstatus.ui.setup import page_setup
from syncstatus.wording import plural


def drill(link) -> None:
    """Callback of a same-page drill to the documents behind a count: their parameters go into the URL."""
    if link is None:
        return
    for k in operations.DOCUMENT_PARAMS:
        if link.params.get(k):
            st.query_params[k] = link.params[k]
        else:
            st.query_params.pop(k, None)


def drill_from_cell(view, key: str) -> None:
    cell = tables.selected_cell(st.session_state.get(key))
    drill(view.order_link(*cell) if cell is not None else None)


# Short distinct headers for the order counts (the full name shows on hover).
ORDER_LABELS = {**{f"{operations.ORDER_NAMES[k][1].capitalize()} {s}": f"{k[0].upper()}O {s}"
                   for k in operations.ORDER_NAMES for s in operations.ORDER_STATUSES},
                "Deleted orders pending (all dates)": "Deleted pending"}

viewer = page_setup("operations")
st.title("Operations")
st.caption("Sync jobs per center, purchase and transfer orders that are stuck, and how fresh the data is. "
           "Times are UTC.")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = filter_bar(directory, show_status=False, show_level=False)
query, problems = operations.parse_order_query({k: st.query_params.get_all(k) for k in st.query_params})
for problem in problems:
    st.warning(f"Ignored in the link: {tables.escape_markdown(problem)}.", icon=":material/link_off:")
now = db.utcnow().replace(second=0, microsecond=0)  # to the minute, so cached results are reused
view = data.cached(operations.build)(viewer.center_ids, f, now, load_settings().stale_after_days, query)

if view.orders.empty:
    if directory.empty or not directory["in_report"].any():
        st.info("No centers with a sync job in your access. Ask an administrator to configure one.")
    else:
        st.info("No centers with a sync job match these filters. Clear the zone, center or platform filters.")
    st.stop()

m = st.columns(4)
m[0].metric("Centers", f"{len(view.orders):,}")
m[1].metric("Deleted orders pending", f"{int(view.orders['Deleted orders pending (all dates)'].sum()):,}")
m[2].metric("Jobs failed or overdue", f"{sum(1 for x in view.job_marks if x):,}")
m[3].metric("Centers with stale data", f"{sum(1 for x in view.freshness_marks if x):,}")

st.subheader("Needs attention")
if not view.alerts:
    st.success("Every enabled job ran on schedule, no deleted order is stuck, and the data is fresh.",
               icon=":material/check_circle:")
for i, alert in enumerate(view.alerts):
    show = st.error if alert.level == "error" else st.warning
    # Names and job messages come from the imported data: shown as text, never as markdown.
    show(f"**{tables.escape_markdown(alert.center_name)}**: {tables.escape_markdown(alert.text)}."
         + (f"  \n{tables.escape_markdown(alert.hint)}" if alert.hint else ""),
         icon=":material/error:" if alert.level == "error" else ":material/warning:")
    if alert.link is not None:
        st.button("Show these orders", key=f"ops_alert_{i}_{alert.center_code}", icon=":material/list:",
                  on_click=drill, args=(alert.link,))

st.subheader("Data problems")
if view.problems.empty:
    st.caption("No data problems in these dates: every center with documents has a sync configuration, every Day "
               "Wise day has one summary invoice, and no job run is dated in the future.")
else:
    st.caption("Figures stay right, but the data behind them needs a look. Click a row to open its documents.")
    problems_key = f"ops_problems_{tables.filters_key(f)}"
    problem_event = st.dataframe(tables.highlight_rows(view.problems, ["warning"] * len(view.problems)),
                                 key=problems_key, on_select="rerun", selection_mode="single-row", hide_index=True,
                                 width="stretch", column_config=tables.count_config(["How many"],
                                                                                    wide=("What it means",)))
    picked = (problem_event.get("selection", {}).get("rows") if isinstance(problem_event, dict)
              else getattr(getattr(problem_event, "selection", None), "rows", None)) or []
    if picked and picked[0] < len(view.problem_links) and view.problem_links[picked[0]] is not None:
        tables.drill_to(view.problem_links[picked[0]])

if view.documents is not None:
    st.subheader("Order documents")
    names = directory.set_index("center_code")["center_name"].to_dict()
    kinds = " and ".join(operations.ORDER_NAMES[k][1] for k in query.kinds)
    status = operations.DOC_STATUS_CHOICES[query.status].lower()
    scope = "all dates" if query.only_deleted else f"{f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}"
    st.caption(f"{'Deleted ' if query.only_deleted else ''}{kinds}, {status}, {scope}"
               # order_center is reflected from the URL: an unknown code is shown as typed, as text.
               f"{', ' + tables.escape_markdown(names.get(query.center, query.center)) if query.center else ''}: "
               f"{plural(len(view.documents), 'document')}. "
               "Yellow rows wait for the maintenance job; red rows failed.")
    if view.documents_truncated:
        st.warning(f"Only the newest {operations.ROW_LIMIT:,} documents are listed; narrow the filters.")
    if view.documents.empty:
        st.info("No purchase or transfer order documents match. Widen the dates or clear the center filter.")
    else:
        docs_event = st.dataframe(
            tables.highlight_rows(view.documents, view.document_marks), hide_index=True, width="stretch",
            key=f"ops_documents_{tables.filters_key(f)}", height=min(38 + 35 * len(view.documents), 420),
            on_select="rerun", selection_mode="single-cell",
            column_config={**tables.count_config(["Attempts"], money=["Amount"], wide=["Response message"]),
                           "Sync date": st.column_config.DateColumn("Sync date", format="YYYY-MM-DD"),
                           "Deleted in point of sale (UTC)": st.column_config.DatetimeColumn(
                               "Deleted in point of sale (UTC)", format="YYYY-MM-DD HH:mm"),
                           "Last attempt": st.column_config.DatetimeColumn("Last attempt", format="YYYY-MM-DD HH:mm")})
        tables.cell_in_full(view.documents, tables.selected_cell(docs_event), ["Response message"],
                            "Order no")
    if st.button("Close the document list", icon=":material/close:", key="ops_close_documents"):
        for k in operations.DOCUMENT_PARAMS:
            st.query_params.pop(k, None)
        st.rerun()

st.subheader("Purchase and transfer orders")
st.caption(f"Counts by status for {f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}; deleted orders still pending over "
           "all dates. Active orders go through the post-sale and refund jobs, deleted ones through the daily "
           "maintenance job. Click a count to list its documents. Red: deleted orders that will stay pending.")
tables.toolbar(view.orders, "operations_orders", f, highlight=view.order_marks, title="Purchase and transfer orders")
order_counts = [c for c in operations.ORDER_COLUMNS if c.endswith(operations.ORDER_STATUSES)] + [
    "Deleted orders pending (all dates)"]
orders_key = tables.table_key("ops_orders", f, query)  # a drill changes the key: the clicked cell does not stick
st.dataframe(
    tables.highlight_rows(view.orders, view.order_marks),
    key=orders_key,
    on_select=functools.partial(drill_from_cell, view, orders_key),
    selection_mode="single-cell",
    hide_index=True,
    width="stretch",
    column_config=tables.count_config(order_counts, pinned=("Center",), wide=("Flag",), labels=ORDER_LABELS),
)

st.subheader("Jobs per center")
st.caption("Post-sale, refund and maintenance jobs with their latest run. A job is overdue without a successful run "
           "within its period plus a grace (26 h for a daily job). Red rows need attention.")
st.dataframe(
    tables.highlight_rows(tables.with_missing_shown(view.jobs, ("Last run started (UTC)", "Last run finished (UTC)")),
                          view.job_marks),
    key=f"ops_jobs_{tables.filters_key(f)}",
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(view.jobs), 640),
    column_config=tables.count_config(["Processed", "Failed"], pinned=("Center",), wide=("Details",)),
)

st.subheader("Data freshness")
st.caption(f"Newest sync date per center and the last import that brought its data. Centers whose newest sync "
           f"date is more than {plural(load_settings().stale_after_days, 'day')} old are shaded.")
st.dataframe(
    tables.highlight_rows(tables.with_missing_shown(tables.with_missing_shown(
        view.freshness, ("Newest sync date",), "%Y-%m-%d"), ("Days behind", "Last import (UTC)")),
        view.freshness_marks, "warning"),
    key=f"ops_freshness_{tables.filters_key(f)}",
    hide_index=True,
    width="stretch",
    column_config={"Days behind": st.column_config.TextColumn("Days behind", width="small")},
)

