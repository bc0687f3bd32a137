-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of documents, step 1: the staged documents not stored yet, inserted in the unique key's order.
-- A plain INSERT, cheaper than an upsert for a large first load: imports are serialized (ingest_lock) and
-- only the importer writes sync_document, so nobody inserts the same key meanwhile.
INSERT INTO sync_document (center_id, kind, document_no, sync_date, amount, status, pending_reason, attempts,
                           last_attempt_at, external_ref, raw_response, response_code, category, message,
                           reference, import_run_id)
SELECT s.center_id, s.kind, s.document_no, s.sync_date, s.amount, s.status, s.pending_reason, s.attempts,
       s.last_attempt_at, s.external_ref, s.raw_response, s.response_code, s.category, s.message,
       s.reference, :run_id
FROM stage_documents s
WHERE NOT EXISTS (
    SELECT 1 FROM sync_document t
    WHERE t.center_id = s.center_id AND t.kind = s.kind AND t.document_no = s.document_no
)
ORDER BY s.center_id, s.kind, s.document_no
