"""Misc Journal Entries: cash deposits, pay-ins, payouts and petty-cash expenses sent to the platform."""

import streamlit as st

from syncstatus.reports import documents
from syncstatus.reports import filters as rfilters
from syncstatus.ui import data, tables
from syncstatus.ui.filters import category_filter, deleted_filter, filter_bar, range_note
from syncstatus.ui.setup import page_setup

viewer = page_setup("misc_journal_entries")
st.title("Misc Journal Entries")
st.caption("Miscellaneous journal entries by sync date, as the Sync Status report counts them.")

directory = data.cached(rfilters.center_directory)(viewer.center_ids)
f = filter_bar(directory, statuses=documents.STATUS_CHOICES)
c1, c2 = st.columns([2, 1])
categories = category_filter(c1)
deleted_only = deleted_filter("Only entries referencing accounts deleted or inactive in the platform", c2)
range_note(f)
result = data.cached(documents.misc_journal_entries)(viewer.center_ids, f, categories, deleted_only)
failed = data.cached(documents.failed_documents)(viewer.center_ids, f, ("misc_journal",), categories)

tables.toolbar(result.table, "misc_journal_entries", f, highlight=result.marks, title="Misc Journal Entries")
tables.failed_downloads(failed, "misc_journal_entries", f)
if result.table.empty:
    st.info(f"No misc journal entries match these filters for {f.date_from:%d %b %Y} – {f.date_to:%d %b %Y}. "
            "Widen the dates or clear the center, platform, status, category or deleted filters.")
    st.stop()
if result.truncated:
    st.warning(f"Showing the first {documents.ROW_LIMIT:,} entries; narrow the dates or centers to see the rest.")
st.caption(f"{len(result.table):,} entries. " + documents.LEGEND)
tables.drill_table(result, "misc_journal_table", f, extra=(categories, deleted_only), money=("Amount",),
                   wide=("Response message",), pinned=("Journal no",), dates=("Date",))
