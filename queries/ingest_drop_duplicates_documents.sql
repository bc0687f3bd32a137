-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_documents.sql), before they are classified and written.
DELETE FROM stage_documents
WHERE EXISTS (SELECT 1 FROM stage_documents e
              WHERE e.center_id = stage_documents.center_id
                AND e.kind = stage_documents.kind
                AND e.document_no = stage_documents.document_no
                AND e.src < stage_documents.src)
