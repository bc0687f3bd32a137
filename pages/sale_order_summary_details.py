"""Sale Order Summary Details: one summary invoice (or Invoice Wise invoice), its sale orders, lines and payments."""

import streamlit as st

from syncstatus import links
from syncstatus.links import Param
from syncstatus.reports import documents, summary_details
from syncstatus.ui import data, tables
from syncstatus.ui.filters import deleted_filter
from syncstatus.ui.setup import page_setup
from syncstatus.wording import plural

viewer = page_setup("sale_order_summary_details")
st.title("Sale Order Summary Details")

raw = st.query_params.get(Param.INVOICE)
number = summary_details.clean_number(raw)
if number is None:
    if raw:
        st.error(summary_details.not_found_message(tables.escape_markdown(str(raw)[:80])))
    else:
        st.info("Open a summary invoice from Sale Orders or Payments, or add `?invoice=<number>` to the address.")
    st.page_link("pages/sale_orders.py", label="Go to Sale Orders", icon=":material/receipt_long:")
    st.stop()

details = data.cached(summary_details.load)(viewer.center_ids, number, st.query_params.get(Param.CENTER))
if details is None:
    st.error(summary_details.not_found_message(tables.escape_markdown(number)), icon=":material/search_off:")
    st.page_link("pages/sale_orders.py", label="Go to Sale Orders", icon=":material/receipt_long:")
    st.stop()

h = details.header
st.subheader(f"{details.kind_name} {tables.escape_markdown(details.number)}")
# The center in full, on a line of its own: a metric value is cut with an ellipsis at the column's width.
st.markdown(f"**Center:** {tables.escape_markdown(details.center_name)}")
m = st.columns(3)
m[0].metric("Sync date", f"{h['sync_date']:%Y-%m-%d}" if h["sync_date"] else "—")
m[1].metric("Status", tables.escape_markdown(h["status"]))
m[2].metric("Amount", f"{h['amount']:,.2f}" if h["amount"] is not None else "—")
if not details.in_ledger:
    st.warning("Not sent yet: this number is on the sale orders but not in the sync ledger.")
elif h["status_code"] == "failed":
    st.error(tables.escape_markdown(h["response"]), icon=":material/error:")  # platform text, shown literally
else:
    st.info(tables.escape_markdown(h["response"]))
st.caption(f"Platform: {documents.platform_name(details.platform)} · attempts: {h['attempts']} · last attempt: "
           f"{documents.shown(h['last_attempt'])} · external doc no: "
           f"{tables.escape_markdown(h['external_ref'] or '—')}")
if details.raw_response:
    with st.expander("Raw response from the platform"):
        st.code(details.raw_response, language=None, wrap_lines=True)
for code, name in details.other_centers:
    other = links.to("sale_order_summary_details", **{Param.INVOICE: details.number, Param.CENTER: code})
    st.page_link(other.path, label=f"The same number in {tables.escape_markdown(name)}", query_params=other.params,
                 icon=":material/call_split:")

tie = details.tie_out
if tie.document_amount is None:
    st.caption(f"Tie-out: the sale orders add up to {tie.orders_total:,.2f}; the document has no amount to compare.")
elif tie.ok:
    st.success(f"Tie-out: the {plural(len(details.orders), 'sale order')} add up to {tie.orders_total:,.2f}, the "
               f"{details.kind_name.lower()}'s amount.", icon=":material/check_circle:")
else:
    st.error(f"Tie-out mismatch: the {plural(len(details.orders), 'sale order')} add up to {tie.orders_total:,.2f}, the "
             f"{details.kind_name.lower()} says {tie.document_amount:,.2f} (difference {tie.difference:+,.2f}).",
             icon=":material/warning:")

flagged = details.flagged_lines + details.flagged_payments
st.caption(f"Lines or payments referencing an account or item deleted or inactive in "
           f"{documents.platform_name(details.platform)}: {flagged}. " + documents.LEGEND)
if deleted_filter("Only lines and payments referencing deleted or inactive accounts/items"):
    details = details.flagged_only()
tables.failed_downloads(details.failed_export(), f"summary_{details.center_code}",
                        detail={"invoice": details.number, "center": details.center_code})

st.subheader("Sale orders")
if details.orders.empty:
    st.info("No sale orders carry this number.")
else:
    event = st.dataframe(details.orders, key=f"summary_orders_{details.center_code}_{details.number}",
                         on_select="rerun", selection_mode="single-cell", hide_index=True, width="stretch",
                         column_config=tables.count_config(["Lines"], money=("Amount", "Payments")))
    cell = tables.selected_cell(event)
    if details.kind == "summary_invoice" and cell is not None and cell[1] == "Invoice no":
        target = links.summary_invoice(details.order_numbers[cell[0]])
        st.switch_page(target.path, query_params=target.params)
    if details.kind == "summary_invoice":
        st.caption("Click an invoice number to open that sale order on its own.")

st.subheader("Lines")
if details.lines.empty:
    st.info("No lines to show.")
else:
    st.dataframe(tables.highlight_rows(details.lines, details.line_marks), hide_index=True, width="stretch",
                 column_config=tables.count_config(["Line"], money=("Qty", "Amount"),
                                                   wide=("Deleted in platform",)))

st.subheader("Payments")
if details.payments.empty:
    st.info("No payments to show.")
else:
    st.dataframe(tables.highlight_rows(details.payments, details.payment_marks), hide_index=True, width="stretch",
                 column_config=tables.count_config([], money=("Amount",), wide=("Response message",)))
