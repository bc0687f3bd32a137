-- Chart of Accounts report: per account, the latest failed invoice or summary invoice whose sale orders reference
-- it, through a line's mapped account or a payment's account.
SELECT center_id, account_code, document_no, sync_date
FROM (
    SELECT r.center_id,
           r.account_code,
           r.document_no,
           r.sync_date,
           ROW_NUMBER() OVER (PARTITION BY r.center_id, r.account_code
                              ORDER BY r.sync_date DESC, r.document_no DESC) AS rn
    FROM (
        SELECT o.center_id, COALESCE(l.account_code, i.account_code) AS account_code, d.document_no, d.sync_date
        FROM sync_document d
        JOIN sale_order o
          ON o.center_id = d.center_id
         AND ((d.kind = 'invoice' AND o.invoice_no = d.document_no)
              OR (d.kind = 'summary_invoice' AND o.summary_invoice_no = d.document_no))
        JOIN sale_order_line l ON l.center_id = o.center_id AND l.invoice_no = o.invoice_no
        LEFT JOIN item i ON i.center_id = l.center_id AND i.code = l.item_code
        WHERE d.center_id IN :center_ids
          AND d.status = 'failed'
          AND d.kind IN ('invoice', 'summary_invoice')
        UNION ALL
        SELECT o.center_id, p.account_code, d.document_no, d.sync_date
        FROM sync_document d
        JOIN sale_order o
          ON o.center_id = d.center_id
         AND ((d.kind = 'invoice' AND o.invoice_no = d.document_no)
              OR (d.kind = 'summary_invoice' AND o.summary_invoice_no = d.document_no))
        JOIN payment p ON p.center_id = o.center_id AND p.invoice_no = o.invoice_no
        WHERE d.center_id IN :center_ids
          AND d.status = 'failed'
          AND d.kind IN ('invoice', 'summary_invoice')
    ) r
    WHERE r.account_code IS NOT NULL
) t
WHERE rn = 1
