-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of documents on PostgreSQL: the documents this import inserted chunk by chunk whose key the bundle repeats
-- are taken out of the ledger again (every row of such a key is in stage_documents by now, see
-- ingest_restage_documents); the key's newest row is inserted at the end like any new document. Returns nothing;
-- the importer counts the rows deleted.
DELETE FROM sync_document t
WHERE t.import_run_id = :run_id
  AND (t.center_id, t.kind, t.document_no) IN (SELECT center_id, kind, document_no
                                               FROM stage_documents
                                               GROUP BY center_id, kind, document_no
                                               HAVING COUNT(*) > 1)
