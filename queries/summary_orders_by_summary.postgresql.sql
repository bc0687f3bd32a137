-- PostgreSQL: the viewer's centers bound as one array (see syncstatus/sql.py).
-- Sale Order Summary Details: the sale orders a summary invoice contains (ix_sale_order_summary).
SELECT o.invoice_no, o.guest, o.sale_date, o.amount, o.summary_invoice_no
FROM sale_order o
WHERE o.center_id = ANY(:center_ids)
  AND o.center_id = :center_id
  AND o.summary_invoice_no = :document_no
ORDER BY o.invoice_no
