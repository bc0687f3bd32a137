-- Items report: per item, the latest failed invoice or summary invoice whose sale orders have a line with it.
SELECT center_id, item_code, document_no, sync_date
FROM (
    SELECT l.center_id,
           l.item_code,
           d.document_no,
           d.sync_date,
           ROW_NUMBER() OVER (PARTITION BY l.center_id, l.item_code
                              ORDER BY d.sync_date DESC, d.document_no DESC) AS rn
    FROM sync_document d
    JOIN sale_order o
      ON o.center_id = d.center_id
     AND ((d.kind = 'invoice' AND o.invoice_no = d.document_no)
          OR (d.kind = 'summary_invoice' AND o.summary_invoice_no = d.document_no))
    JOIN sale_order_line l ON l.center_id = o.center_id AND l.invoice_no = o.invoice_no
    WHERE d.center_id IN :center_ids
      AND d.status = 'failed'
      AND d.kind IN ('invoice', 'summary_invoice')
) t
WHERE rn = 1
