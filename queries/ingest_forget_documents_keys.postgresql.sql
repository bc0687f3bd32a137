-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents on PostgreSQL: the kept keys of rows ingest_restage_documents brought back to stage_documents.
DELETE FROM stage_documents_keys k
WHERE EXISTS (SELECT 1 FROM stage_documents s
              WHERE s.center_id = k.center_id AND s.kind = k.kind AND s.document_no = k.document_no)
