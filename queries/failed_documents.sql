-- Failed documents for reprocessing: one row per failed ledger document of the chosen kinds and sync dates. A
-- summary invoice superseded by a newer one of the same day (rollup_daily_insert.sql) is not reprocessed.
SELECT d.center_id,
       d.kind,
       d.document_no,
       d.sync_date,
       d.response_code,
       d.category,
       d.message,
       d.reference
FROM sync_document d
WHERE d.center_id IN :center_ids
  AND d.status = 'failed'
  AND d.kind IN :kinds
  AND d.sync_date >= :date_from
  AND d.sync_date <= :date_to
  AND (:any_category = 1 OR COALESCE(d.category, 'unknown') IN :categories)
  AND (d.kind <> 'summary_invoice' OR NOT EXISTS (
      SELECT 1 FROM sync_document n
      WHERE n.center_id = d.center_id AND n.sync_date = d.sync_date
        AND n.kind = 'summary_invoice' AND n.status <> 'archived'
        AND ((n.last_attempt_at IS NULL AND d.last_attempt_at IS NOT NULL)
             OR n.last_attempt_at > d.last_attempt_at
             OR ((n.last_attempt_at = d.last_attempt_at
                  OR (n.last_attempt_at IS NULL AND d.last_attempt_at IS NULL))
                 AND n.document_no > d.document_no))))
ORDER BY d.center_id, d.sync_date, d.kind, d.document_no
