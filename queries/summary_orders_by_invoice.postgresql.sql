-- PostgreSQL: the viewer's centers bound as one array (see syncstatus/sql.py).
-- Sale Order Summary Details for an Invoice Wise invoice: the one sale order with the given number (uq_sale_order).
SELECT o.invoice_no, o.guest, o.sale_date, o.amount, o.summary_invoice_no
FROM sale_order o
WHERE o.center_id = ANY(:center_ids)
  AND o.center_id = :center_id
  AND o.invoice_no = :document_no
