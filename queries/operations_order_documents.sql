-- Operations: the purchase / transfer order documents behind a count, newest first, at most row_limit rows.
-- any_date = 1 ignores the sync dates (the backlog of deleted orders); only_deleted = 1 keeps deleted orders.
SELECT d.center_id,
       d.kind,
       d.document_no,
       d.sync_date,
       d.amount,
       d.status,
       d.pending_reason,
       d.category,
       d.message,
       d.reference,
       d.attempts,
       d.last_attempt_at,
       o.deleted_at
FROM sync_document d
LEFT JOIN stock_order o
       ON o.center_id = d.center_id AND o.kind = d.kind AND o.order_no = d.document_no
WHERE d.center_id IN :center_ids
  AND d.kind IN :kinds
  AND (:any_status = 1 OR d.status IN :statuses)
  AND (:any_date = 1 OR d.sync_date BETWEEN :date_from AND :date_to)
  AND (:only_deleted = 0 OR o.deleted_at IS NOT NULL)
ORDER BY d.sync_date DESC, d.document_no DESC
LIMIT :row_limit
