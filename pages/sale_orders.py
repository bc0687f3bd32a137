"""Sale Orders: invoices and summary invoices sent, per center and sync date, with status and why they failed."""

import streamlit as st

from syncstatus.reports import documents
from syncstatus.reports import filters as rfilters
from syncstatus.ui import data, tables
from syncstatus.ui.filters import category_filter, deleted_filter, filter_bar, range_note
from syncstatus.ui.setup import page_setup
from syncstatus.wording import plural

viewer = page_setup("sale_orders")
st.title("Sale Orders")
st.caption("Invoices (Invoice Wise) and summary invoices (Day Wise) sent to the accounting platform, as the Sync "
           "Status report counts them.")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = filter_bar(directory, statuses=documents.STATUS_CHOICES)
c1, c2 = st.columns([2, 1])
categories = category_filter(c1)
will_fail_only = deleted_filter("Only pending documents that will fail (deleted or inactive account/item)", c2)
range_note(f)
result = data.cached(documents.sale_orders)(viewer.center_ids, f, categories, will_fail_only)
failed = data.cached(documents.failed_documents)(viewer.center_ids, f, documents.INVOICE_KINDS, categories)

tables.toolbar(result.table, "sale_orders", f, highlight=result.marks, title="Sale Orders")
tables.failed_downloads(failed, "sale_orders", f)
if result.table.empty:
    st.info(f"No invoices or summary invoices match these filters for {f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}. "
            "Widen the dates or clear the center, platform, status or category filters.")
    st.stop()
if result.truncated:
    st.warning(f"Showing the first {documents.ROW_LIMIT:,} documents; narrow the dates or centers to see the rest.")
st.caption(f"{plural(len(result.table), 'document')}. Click an invoice number to open it. " + documents.LEGEND)
tables.drill_table(result, "sale_orders_table", f, number_column="Invoice / summary invoice no",
                   extra=(categories, will_fail_only), counts=("Attempts",), money=("Amount",),
                   wide=("Response message", "Will fail", "Deleted in platform", "Anomaly"),
                   pinned=("Invoice / summary invoice no",),
                   dates=("Sync date",), datetimes=("Last attempt",))
