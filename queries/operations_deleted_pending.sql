-- Operations: orders deleted in the point of sale whose sync document is still pending, over all dates
-- (they wait for the maintenance job, however old they are), per center and kind.
SELECT o.center_id,
       o.kind,
       COUNT(*) AS documents,
       MIN(o.deleted_at) AS oldest_deleted_at
FROM stock_order o
JOIN sync_document d
  ON d.center_id = o.center_id AND d.kind = o.kind AND d.document_no = o.order_no
WHERE o.center_id IN :center_ids
  AND o.deleted_at IS NOT NULL
  AND d.status = 'pending'
GROUP BY o.center_id, o.kind
