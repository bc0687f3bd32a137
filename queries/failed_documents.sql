-- Failed documents for reprocessing: one row per failed ledger document of the chosen kinds and sync dates.
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
ORDER BY d.center_id, d.sync_date, d.kind, d.document_no
