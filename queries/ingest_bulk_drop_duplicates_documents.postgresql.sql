-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of documents on PostgreSQL, a bulk load whose unique key would not build: delete this run's rows that
-- repeat the key of an earlier one (see ingest_bulk_duplicates_documents). The ledger was empty before the run and
-- its chunks were inserted in bundle order, so the first row of a key is the one with the lowest id.
DELETE FROM sync_document d
USING (SELECT center_id, kind, document_no, MIN(id) AS first_id
       FROM sync_document
       WHERE import_run_id = :run_id
       GROUP BY center_id, kind, document_no
       HAVING COUNT(*) > 1) f
WHERE d.center_id = f.center_id
  AND d.kind = f.kind
  AND d.document_no = f.document_no
  AND d.id > f.first_id
