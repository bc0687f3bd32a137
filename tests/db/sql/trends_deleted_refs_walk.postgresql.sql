-- Trends deleted references (PostgreSQL): the same counts as trends_deleted_refs.sql, joined the other way round.
-- Walking from a deleted reference to every document that ever used it probes the ledger once per referencing
-- line; here the failed and pending documents of the range (open_docs: only centers with a deleted reference, and
-- nothing at all when there is none) are read once and hash-joined with the referencing lines, payments and
-- journals. The centers are bound as one array.
WITH gone AS MATERIALIZED (
    SELECT center_id, 'account' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at,
           CASE WHEN active THEN 1 ELSE 0 END AS active
    FROM account
    WHERE center_id = ANY(:center_ids)
      AND (deleted_in_platform_at IS NOT NULL OR active = FALSE)
    UNION ALL
    SELECT center_id, 'item' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at, 1 AS active
    FROM item
    WHERE center_id = ANY(:center_ids)
      AND deleted_in_platform_at IS NOT NULL
),
open_docs AS MATERIALIZED (  -- failed and pending documents of the range at centers with a deleted reference
    SELECT d.id, d.center_id, d.kind, d.document_no, d.status
    FROM sync_document d
    WHERE d.center_id = ANY(ARRAY(SELECT DISTINCT center_id FROM gone))
      AND d.sync_date >= :date_from AND d.sync_date <= :date_to
      AND d.kind IN ('invoice', 'summary_invoice', 'payment', 'misc_journal')
      AND d.status IN ('failed', 'pending')
),
invoice_refs AS MATERIALIZED (  -- sale orders referencing a deleted item or account, by line or payment
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
    JOIN open_docs d ON d.center_id = r.center_id AND d.kind = 'invoice' AND d.document_no = r.invoice_no
    UNION
    SELECT r.center_id, r.ref_kind, r.code, d.id AS document_id, d.status
    FROM open_docs d
    JOIN sale_order s ON s.center_id = d.center_id AND s.summary_invoice_no = d.document_no
    JOIN invoice_refs r ON r.center_id = s.center_id AND r.invoice_no = s.invoice_no
    WHERE d.kind = 'summary_invoice'
    UNION
    SELECT g.center_id, g.ref_kind, g.code, d.id AS document_id, d.status
    FROM gone g
    JOIN payment p ON p.center_id = g.center_id AND p.account_code = g.code
    JOIN open_docs d ON d.center_id = p.center_id AND d.kind = 'payment' AND d.document_no = p.payment_no
    WHERE g.ref_kind = 'account'
    UNION
    SELECT g.center_id, g.ref_kind, g.code, d.id AS document_id, d.status
    FROM gone g
    JOIN misc_journal m ON m.center_id = g.center_id AND m.debit_account_code = g.code
    JOIN open_docs d ON d.center_id = m.center_id AND d.kind = 'misc_journal' AND d.document_no = m.journal_no
    WHERE g.ref_kind = 'account'
    UNION
    SELECT g.center_id, g.ref_kind, g.code, d.id AS document_id, d.status
    FROM gone g
    JOIN misc_journal m ON m.center_id = g.center_id AND m.credit_account_code = g.code
    JOIN open_docs d ON d.center_id = m.center_id AND d.kind = 'misc_journal' AND d.document_no = m.journal_no
    WHERE g.ref_kind = 'account'
)
SELECT g.center_id, g.ref_kind, g.code, g.name, g.deleted_at, g.active,
       COUNT(DISTINCT CASE WHEN b.status = 'failed' THEN b.document_id END) AS failed_documents,
       COUNT(DISTINCT CASE WHEN b.status = 'pending' THEN b.document_id END) AS pending_documents
FROM gone g
LEFT JOIN blocked b ON b.center_id = g.center_id AND b.ref_kind = g.ref_kind AND b.code = g.code
GROUP BY g.center_id, g.ref_kind, g.code, g.name, g.deleted_at, g.active
