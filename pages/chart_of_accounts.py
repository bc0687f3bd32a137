"""Chart of Accounts: the platform's accounts, flagged where deleted or inactive, with what references them."""

import streamlit as st

from syncstatus.reports import catalog, documents
from syncstatus.reports import filters as rfilters
from syncstatus.ui import data, tables
from syncstatus.ui.filters import deleted_filter, scope_bar
from syncstatus.ui.setup import page_setup
from syncstatus.wording import plural

viewer = page_setup("chart_of_accounts")
st.title("Chart of Accounts")
st.caption("The accounting platform's accounts as last read, with the documents and item mappings referencing each.")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = scope_bar(directory)
deleted_only = deleted_filter("Only accounts deleted or inactive in the platform")
result = data.cached(catalog.accounts)(viewer.center_ids, f, deleted_only)
failed = data.cached(catalog.failed_references)(viewer.center_ids, f)

tables.toolbar(result.table, "chart_of_accounts", None, filters=f, highlight=result.marks,
               title="Chart of Accounts")
tables.failed_downloads(failed, "chart_of_accounts", filters=f)
if result.table.empty:
    st.info("No accounts match: " + ("none of them is deleted or inactive in the platform."
                                     if deleted_only else "no chart of accounts has been read for these centers yet."))
    st.stop()
flagged = sum(1 for m in result.marks if m)
st.caption(f"{plural(len(result.table), 'account')}, {flagged:,} deleted or inactive in the platform. Click a latest failed "
           "invoice to open it. " + documents.LEGEND)
tables.drill_table(result, "accounts_table", f, number_column="Latest failed invoice", extra=(deleted_only,),
                   counts=("Lines", "Payments", "Misc. journals", "Item mappings", "Documents"),
                   pinned=("Code",), datetimes=("Last read",))
