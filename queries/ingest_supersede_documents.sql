-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents: among staged rows with the same natural key (center_code, kind, document_no) the newest wins:
-- the latest last_attempt_at (naive UTC by now, offsets applied; a row without one is older than any row with one),
-- the later line of the bundle on equal times. The rows it supersedes are dropped before the rest is classified and
-- written (ingest_repeat_attempts_documents gave the winner the largest attempts of its key first).
DELETE FROM stage_documents
WHERE EXISTS (SELECT 1 FROM stage_documents e
              WHERE e.center_id = stage_documents.center_id
                AND e.kind = stage_documents.kind
                AND e.document_no = stage_documents.document_no
                AND (e.last_attempt_at > stage_documents.last_attempt_at
                     OR (e.last_attempt_at IS NOT NULL AND stage_documents.last_attempt_at IS NULL)
                     OR ((e.last_attempt_at = stage_documents.last_attempt_at
                          OR (e.last_attempt_at IS NULL AND stage_documents.last_attempt_at IS NULL))
                         AND e.src > stage_documents.src)))
