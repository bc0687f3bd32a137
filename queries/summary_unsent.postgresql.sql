-- PostgreSQL: the viewer's centers bound as one array (see syncstatus/sql.py).
-- Sale Order Summary Details, fallback: a number not in the ledger yet, found on the sale orders themselves
-- (as a summary invoice number or an invoice number) in the viewer's centers.
SELECT o.center_id,
       c.code AS center_code,
       c.name AS center_name,
       c.platform,
       CASE WHEN o.summary_invoice_no = :document_no THEN 'summary_invoice' ELSE 'invoice' END AS kind,
       MIN(o.sale_date) AS sync_date
FROM sale_order o
JOIN center c ON c.id = o.center_id
WHERE o.center_id = ANY(:center_ids)
  AND (o.summary_invoice_no = :document_no OR o.invoice_no = :document_no)
GROUP BY o.center_id, c.code, c.name, c.platform,
         CASE WHEN o.summary_invoice_no = :document_no THEN 'summary_invoice' ELSE 'invoice' END
ORDER BY c.code
