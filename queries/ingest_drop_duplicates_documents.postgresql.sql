-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents on PostgreSQL: drop the staged rows that repeat the natural key of an earlier row, staged for
-- the end or already inserted chunk by chunk (rejected as duplicates, see ingest_duplicates_documents.postgresql.sql).
DELETE FROM stage_documents s
WHERE EXISTS (SELECT 1 FROM stage_documents e
              WHERE e.center_id = s.center_id AND e.kind = s.kind AND e.document_no = s.document_no
                AND e.src < s.src)
   OR EXISTS (SELECT 1 FROM stage_documents_keys e
              WHERE e.center_id = s.center_id AND e.kind = s.kind AND e.document_no = s.document_no
                AND e.src < s.src)
