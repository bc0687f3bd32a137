-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of documents on PostgreSQL, while the bundle is still being read: a staged chunk's documents whose key is
-- not stored yet are inserted at once (within the chunk, the first row of a key), so that the ledger's insert
-- overlaps reading. A row whose key is stored (before this import, or by an earlier chunk) is left alone here; the
-- importer keeps the chunk for the end, where such rows are classified (newer and changed, or unchanged) or rejected
-- as duplicates. Whether a key is stored is a probe of the unique index per row (OFFSET 0 keeps it a correlated
-- probe: a join would be planned against the size the ledger had before this transaction), needed only for the
-- centers that had documents before this chunk: the others (:fresh_centers) cannot have any of its keys. A plain
-- INSERT: imports are serialized (ingest_lock) and only the importer writes sync_document.
INSERT INTO sync_document (center_id, kind, document_no, sync_date, amount, status, pending_reason, attempts,
                           last_attempt_at, external_ref, raw_response, response_code, category, message,
                           reference, import_run_id)
SELECT DISTINCT ON (s.center_id, s.kind, s.document_no)
       s.center_id, s.kind, s.document_no, s.sync_date, s.amount, s.status, s.pending_reason, s.attempts,
       s.last_attempt_at, s.external_ref, s.raw_response, s.response_code, s.category, s.message,
       s.reference, :run_id
FROM stage_documents_chunk s
WHERE s.center_id = ANY(CAST(:fresh_centers AS bigint[]))
   OR NOT EXISTS (
       SELECT 1 FROM sync_document t
       WHERE t.center_id = s.center_id AND t.kind = s.kind AND t.document_no = s.document_no
       OFFSET 0
   )
ORDER BY s.center_id, s.kind, s.document_no, s.src
