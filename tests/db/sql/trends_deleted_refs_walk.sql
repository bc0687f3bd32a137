-- Trends: accounts and items deleted (or made inactive) in the accounting platform, with the failed and pending
-- documents of the selected sync dates that reference them: invoices through their lines and payments, summary
-- invoices through their sale orders, payments and misc. journals (debit or credit account) directly.
-- Starts from the few deleted references and walks the reference indexes, never the whole ledger.
WITH gone AS (
    SELECT center_id, 'account' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at,
           CASE WHEN active THEN 1 ELSE 0 END AS active
    FROM account
    WHERE center_id IN :center_ids
      AND (deleted_in_platform_at IS NOT NULL OR active = FALSE)
    UNION ALL
    SELECT center_id, 'item' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at, 1 AS active
    FROM item
    WHERE center_id IN :center_ids
      AND deleted_in_platform_at IS NOT NULL
),
invoice_refs AS (  -- sale orders referencing a deleted item or account, by line or payment
    SELECT g.center_id, g.ref_kind, g.code, l.invoice_no
    FROM gone g
    JOIN sale_order_line l ON l.center_id = g.center_id AND l.item_code = g.code
    WHERE g.ref_kind = 'item'
    UNION
    SELECT g.center_id, g.ref_kind, g.code, l.invoice_no
    FROM gone g
    JOIN sale_order_line l ON l.center_id = g.center_id AND l.account_code = g.code
    WHERE g.ref_kind = 'account'
    UNION
    SELECT g.center_id, g.ref_kind, g.code, p.invoice_no
    FROM gone g
    JOIN payment p ON p.center_id = g.center_id AND p.account_code = g.code
    WHERE g.ref_kind = 'account'
),
blocked AS (
    SELECT r.center_id, r.ref_kind, r.code, d.id AS document_id, d.status
    FROM invoice_refs r
    JOIN sync_document d ON d.center_id = r.center_id AND d.kind = 'invoice' AND d.document_no = r.invoice_no
    WHERE d.status IN ('failed', 'pending') AND d.sync_date >= :date_from AND d.sync_date <= :date_to
    UNION
    SELECT r.center_id, r.ref_kind, r.code, d.id AS document_id, d.status
    FROM invoice_refs r
    JOIN sale_order s ON s.center_id = r.center_id AND s.invoice_no = r.invoice_no
    JOIN sync_document d ON d.center_id = s.center_id AND d.kind = 'summary_invoice'
                        AND d.document_no = s.summary_invoice_no
    WHERE d.status IN ('failed', 'pending') AND d.sync_date >= :date_from AND d.sync_date <= :date_to
    UNION
    SELECT g.center_id, g.ref_kind, g.code, d.id AS document_id, d.status
    FROM gone g
    JOIN payment p ON p.center_id = g.center_id AND p.account_code = g.code
    JOIN sync_document d ON d.center_id = p.center_id AND d.kind = 'payment' AND d.document_no = p.payment_no
    WHERE g.ref_kind = 'account'
      AND d.status IN ('failed', 'pending') AND d.sync_date >= :date_from AND d.sync_date <= :date_to
    UNION
    SELECT g.center_id, g.ref_kind, g.code, d.id AS document_id, d.status
    FROM gone g
    JOIN misc_journal m ON m.center_id = g.center_id
                       AND (m.debit_account_code = g.code OR m.credit_account_code = g.code)
    JOIN sync_document d ON d.center_id = m.center_id AND d.kind = 'misc_journal' AND d.document_no = m.journal_no
    WHERE g.ref_kind = 'account'
      AND d.status IN ('failed', 'pending') AND d.sync_date >= :date_from AND d.sync_date <= :date_to
)
SELECT g.center_id, g.ref_kind, g.code, g.name, g.deleted_at, g.active,
       COUNT(DISTINCT CASE WHEN b.status = 'failed' THEN b.document_id END) AS failed_documents,
       COUNT(DISTINCT CASE WHEN b.status = 'pending' THEN b.document_id END) AS pending_documents
FROM gone g
LEFT JOIN blocked b ON b.center_id = g.center_id AND b.ref_kind = g.ref_kind AND b.code = g.code
GROUP BY g.center_id, g.ref_kind, g.code, g.name, g.deleted_at, g.active
