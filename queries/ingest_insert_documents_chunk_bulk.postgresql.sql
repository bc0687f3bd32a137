-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of documents on PostgreSQL, a bulk load into an empty ledger (ingest._bulk_load): a staged chunk is
-- inserted whole, in bundle order, while the bundle is still being read. The ledger has no unique key during the
-- load (it is built once afterwards), so nothing is probed; a key the bundle repeats is found when that build
-- fails (ingest_bulk_duplicates_documents). Bundle order makes the ids follow the lines, so the first row of a
-- repeated key is the one with the lowest id.
INSERT INTO sync_document (center_id, kind, document_no, sync_date, amount, status, pending_reason, attempts,
                           last_attempt_at, external_ref, raw_response, response_code, category, message,
                           reference, import_run_id)
SELECT s.center_id, s.kind, s.document_no, s.sync_date, s.amount, s.status, s.pending_reason, s.attempts,
       s.last_attempt_at, s.external_ref, s.raw_response, s.response_code, s.category, s.message,
       s.reference, :run_id
FROM stage_documents_chunk s
ORDER BY s.src
