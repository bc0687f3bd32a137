-- PostgreSQL: the viewer's centers bound as one array (see syncstatus/sql.py).
-- Sale Order Summary Details, step 1: the ledger document with the given number (a summary invoice, or an
-- Invoice Wise invoice) in the viewer's centers, through ix_sync_document_no.
SELECT d.center_id,
       c.code AS center_code,
       c.name AS center_name,
       c.platform,
       d.kind,
       d.document_no,
       d.sync_date,
       d.amount,
       d.status,
       d.pending_reason,
       d.attempts,
       d.last_attempt_at,
       d.external_ref,
       d.raw_response,
       d.response_code,
       d.category,
       d.message,
       d.reference
FROM sync_document d
JOIN center c ON c.id = d.center_id
WHERE d.document_no = :document_no
  AND d.kind IN ('summary_invoice', 'invoice')
  AND d.center_id = ANY(:center_ids)
ORDER BY c.code, d.kind DESC
