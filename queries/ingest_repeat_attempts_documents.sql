-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents: a key repeated in the bundle keeps the largest attempts any of its rows gives (a sync log
-- with every attempt of a document, or a counter that a later export reset), whichever row wins
-- (ingest_supersede_documents). Set on the rows of the key that give fewer, before all but the winner are dropped.
UPDATE stage_documents
SET attempts = m.most
FROM (SELECT center_id, kind, document_no, MAX(attempts) AS most
      FROM stage_documents
      GROUP BY center_id, kind, document_no
      HAVING COUNT(*) > 1 AND MIN(attempts) < MAX(attempts)) m
WHERE m.center_id = stage_documents.center_id
  AND m.kind = stage_documents.kind
  AND m.document_no = stage_documents.document_no
  AND stage_documents.attempts < m.most
