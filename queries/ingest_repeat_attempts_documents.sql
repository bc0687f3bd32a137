-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents: a key repeated in the bundle keeps the largest attempts any of its rows gives (a sync log
-- with every attempt of a document, or a counter that a later export reset), whichever row wins
-- (ingest_supersede_documents). Set on every row of the key, before the others are dropped.
UPDATE stage_documents
SET attempts = (SELECT MAX(e.attempts) FROM stage_documents e
                WHERE e.center_id = stage_documents.center_id
                  AND e.kind = stage_documents.kind
                  AND e.document_no = stage_documents.document_no)
WHERE EXISTS (SELECT 1 FROM stage_documents e
              WHERE e.center_id = stage_documents.center_id
                AND e.kind = stage_documents.kind
                AND e.document_no = stage_documents.document_no
                AND e.attempts > stage_documents.attempts)
