"""Payments: payment entries with their own sync status, mapped account and why they failed."""

import streamlit as st

from syncstatus.reports import documents
from syncstatus.reports import filters as rfilters
from syncstatus.ui import data, tables
from syncstatus.ui.filters import category_filter, deleted_filter, filter_bar, range_note
from syncstatus.ui.setup import page_setup
from syncstatus.wording import plural

viewer = page_setup("payments")
st.title("Payments")
st.caption("Payment entries by payment date, with the invoice or summary invoice they belong to.")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = filter_bar(directory, statuses=documents.STATUS_CHOICES)
c1, c2 = st.columns([2, 1])
categories = category_filter(c1)
deleted_only = deleted_filter("Only payments to accounts deleted or inactive in the platform", c2)
range_note(f)
result = data.cached(documents.payments)(viewer.center_ids, f, categories, deleted_only)
failed = data.cached(documents.failed_documents)(viewer.center_ids, f, ("payment",), categories)

tables.toolbar(result.table, "payments", f, highlight=result.marks, title="Payments")
tables.failed_downloads(failed, "payments", f)
if result.table.empty:
    st.info(f"No payments match these filters for {f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}. "
            "Widen the dates or clear the center, platform, status, category or deleted filters.")
    st.stop()
if result.truncated:
    st.warning(f"Showing the first {documents.ROW_LIMIT:,} payments; narrow the dates or centers to see the rest.")
st.caption(f"{plural(len(result.table), 'payment')}. Click an invoice / summary number to open it. " + documents.LEGEND)
tables.drill_table(result, "payments_table", f, number_column="Invoice / summary no",
                   extra=(categories, deleted_only), money=("Amount",), wide=("Response message",),
                   pinned=("Invoice / summary no",), dates=("Date",))
