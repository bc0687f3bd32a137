-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents on PostgreSQL, before repeated keys are resolved: a row that an earlier chunk inserted and of
-- which only the key and place were kept (stage_documents_keys) comes back to stage_documents, whole (as the chunk
-- stored it), when a later row of the bundle repeats its key, so that the newest of them can win
-- (ingest_supersede_documents). ingest_unstore_documents then takes the stored copy out again.
INSERT INTO stage_documents (center_id, kind, document_no, sync_date, amount, status, pending_reason, attempts,
                             last_attempt_at, external_ref, raw_response, response_code, category, message,
                             reference, src)
SELECT t.center_id, t.kind, t.document_no, t.sync_date, t.amount, t.status, t.pending_reason, t.attempts,
       t.last_attempt_at, t.external_ref, t.raw_response, t.response_code, t.category, t.message, t.reference, k.src
FROM stage_documents_keys k
JOIN sync_document t ON t.center_id = k.center_id AND t.kind = k.kind AND t.document_no = k.document_no
WHERE EXISTS (SELECT 1 FROM stage_documents s
              WHERE s.center_id = k.center_id AND s.kind = k.kind AND s.document_no = k.document_no)
