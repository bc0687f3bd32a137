-- PostgreSQL: the viewer's centers bound as one array (see syncstatus/sql.py).
-- Sale Order Summary Details: the payments of the given sale orders, their mapped account (deleted / inactive
-- flagged) and the status and parsed response of each payment's own ledger document.
SELECT p.invoice_no,
       p.payment_no,
       p.payment_type,
       p.account_code,
       a.name AS account_name,
       a.active AS account_active,
       a.deleted_in_platform_at AS account_deleted_at,
       p.amount,
       p.paid_on,
       d.status,
       d.pending_reason,
       d.attempts,
       d.response_code,
       d.category,
       d.message,
       d.reference
FROM payment p
LEFT JOIN account a ON a.center_id = p.center_id AND a.code = p.account_code
LEFT JOIN sync_document d ON d.center_id = p.center_id AND d.kind = 'payment' AND d.document_no = p.payment_no
WHERE p.center_id = ANY(:center_ids)
  AND p.center_id = :center_id
  AND p.invoice_no = ANY(:invoice_nos)
ORDER BY p.invoice_no, p.payment_no
