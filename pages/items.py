"""Items: what each item is mapped to in the accounting platform, flagged where it was deleted there."""

import streamlit as st

from syncstatus.reports import catalog, documents
from syncstatus.reports import filters as rfilters
from syncstatus.ui import data, tables
from syncstatus.ui.filters import deleted_filter, scope_bar
from syncstatus.ui.setup import page_setup
from syncstatus.wording import plural

viewer = page_setup("items")
st.title("Items")
st.caption("Items mapped to the accounting platform, with how many sale order lines reference each.")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = scope_bar(directory)
deleted_only = deleted_filter("Only items deleted or inactive in the platform (item or its mapped account)")
result = data.cached(catalog.items)(viewer.center_ids, f, deleted_only)
failed = data.cached(catalog.failed_references)(viewer.center_ids, f)

tables.toolbar(result.table, "items", None, filters=f, highlight=result.marks, title="Items")
tables.failed_downloads(failed, "items", filters=f)
if result.table.empty:
    st.info("No items match: " + ("none of them is deleted or inactive in the platform."
                                  if deleted_only else "no items are mapped for these centers yet."))
    st.stop()
flagged = sum(1 for m in result.marks if m)
st.caption(f"{plural(len(result.table), 'item')}, {flagged:,} deleted or inactive in the platform. Click a latest failed "
           "invoice to open it. " + documents.LEGEND)
tables.drill_table(result, "items_table", f, number_column="Latest failed invoice", extra=(deleted_only,),
                   counts=("Documents",), wide=("Response message", "Deleted in platform"), pinned=("Code",))
