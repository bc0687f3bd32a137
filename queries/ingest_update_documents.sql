-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of documents, step 2: a staged row replaces the stored document only when it is newer
-- (last_attempt_at >= the stored one, or the stored one has none, or more attempts) and differs.
-- An older row leaves the stored one as it is (stale); identical rows are not written.
UPDATE sync_document
SET sync_date = s.sync_date,
    amount = s.amount,
    status = s.status,
    pending_reason = s.pending_reason,
    attempts = s.attempts,
    last_attempt_at = s.last_attempt_at,
    external_ref = s.external_ref,
    raw_response = s.raw_response,
    response_code = s.response_code,
    category = s.category,
    message = s.message,
    reference = s.reference,
    import_run_id = :run_id
FROM stage_documents s
WHERE sync_document.center_id = s.center_id
  AND sync_document.kind = s.kind
  AND sync_document.document_no = s.document_no
  AND (s.last_attempt_at >= sync_document.last_attempt_at
       OR sync_document.last_attempt_at IS NULL
       OR s.attempts > sync_document.attempts)
  AND (sync_document.sync_date IS DISTINCT FROM s.sync_date
       OR sync_document.amount IS DISTINCT FROM s.amount
       OR sync_document.status IS DISTINCT FROM s.status
       OR sync_document.pending_reason IS DISTINCT FROM s.pending_reason
       OR sync_document.attempts IS DISTINCT FROM s.attempts
       OR sync_document.last_attempt_at IS DISTINCT FROM s.last_attempt_at
       OR sync_document.external_ref IS DISTINCT FROM s.external_ref
       OR sync_document.raw_response IS DISTINCT FROM s.raw_response
       OR sync_document.response_code IS DISTINCT FROM s.response_code
       OR sync_document.category IS DISTINCT FROM s.category
       OR sync_document.message IS DISTINCT FROM s.message
       OR sync_document.reference IS DISTINCT FROM s.reference)
