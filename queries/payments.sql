-- Payments report: payment entries with the status of their own ledger document (kind 'payment'), the invoice or
-- summary invoice they belong to, and their mapped account (deleted / inactive in the platform flagged).
SELECT p.center_id,
       p.payment_no,
       p.invoice_no,
       o.summary_invoice_no,
       p.payment_type,
       p.account_code,
       a.name AS account_name,
       a.active AS account_active,
       a.deleted_in_platform_at AS account_deleted_at,
       p.amount,
       p.paid_on,
       d.sync_date,
       d.status,
       d.pending_reason,
       d.attempts,
       d.last_attempt_at,
       d.external_ref,
       d.response_code,
       d.category,
       d.message,
       d.reference
FROM payment p
LEFT JOIN sale_order o ON o.center_id = p.center_id AND o.invoice_no = p.invoice_no
LEFT JOIN sync_document d ON d.center_id = p.center_id AND d.kind = 'payment' AND d.document_no = p.payment_no
LEFT JOIN account a ON a.center_id = p.center_id AND a.code = p.account_code
WHERE p.center_id IN :center_ids
  AND p.paid_on >= :date_from
  AND p.paid_on <= :date_to
  AND (:any_status = 1 OR d.status IN :statuses)
  AND (:any_category = 1 OR COALESCE(d.category, 'unknown') IN :categories)
ORDER BY p.paid_on DESC, p.center_id, p.payment_no
LIMIT :row_limit
