-- Operations: purchase and transfer orders in the sync ledger per center, kind and status for the sync dates.
SELECT d.center_id,
       d.kind,
       d.status,
       COUNT(*) AS documents
FROM sync_document d
WHERE d.center_id IN :center_ids
  AND d.kind IN ('purchase_order', 'transfer_order')
  AND d.sync_date BETWEEN :date_from AND :date_to
GROUP BY d.center_id, d.kind, d.status
