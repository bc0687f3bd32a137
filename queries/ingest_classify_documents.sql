-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of documents, per center, before the upsert:
--   new_rows      staged documents not stored yet;
--   changed_rows  stored documents the staged row replaces: it is newer (last_attempt_at >= the stored one,
--                 or the stored one has none, or more attempts) and differs in some column;
--   new_from/new_to, old_from/old_to  the sync dates whose rollup changes: the staged dates of new rows and of
--                 replacements that move the counts (sync date, status or failure category; for a summary invoice
--                 also its last attempt, which decides the day's newest summary), and the stored dates those
--                 replacements leave;
--   newest        the newest sync date staged for the center (data freshness).
-- A staged row that a chunk insert (PostgreSQL) already stored matches its stored twin exactly: neither new nor changed.
SELECT s.center_id,
       MAX(s.sync_date) AS newest,
       COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (s.last_attempt_at >= t.last_attempt_at OR t.last_attempt_at IS NULL
                               OR s.attempts > t.attempts)
                          AND (t.sync_date IS DISTINCT FROM s.sync_date
                               OR t.amount IS DISTINCT FROM s.amount
                               OR t.status IS DISTINCT FROM s.status
                               OR t.pending_reason IS DISTINCT FROM s.pending_reason
                               OR t.attempts IS DISTINCT FROM s.attempts
                               OR t.last_attempt_at IS DISTINCT FROM s.last_attempt_at
                               OR t.external_ref IS DISTINCT FROM s.external_ref
                               OR t.raw_response IS DISTINCT FROM s.raw_response
                               OR t.response_code IS DISTINCT FROM s.response_code
                               OR t.category IS DISTINCT FROM s.category
                               OR t.message IS DISTINCT FROM s.message
                               OR t.reference IS DISTINCT FROM s.reference)
                         THEN 1 ELSE 0 END), 0) AS changed_rows,
       MIN(CASE WHEN t.id IS NULL
                  OR ((s.last_attempt_at >= t.last_attempt_at OR t.last_attempt_at IS NULL
                       OR s.attempts > t.attempts)
                      AND (t.sync_date <> s.sync_date OR t.status <> s.status
                           OR t.category IS DISTINCT FROM s.category
                      OR (s.kind = 'summary_invoice' AND t.last_attempt_at IS DISTINCT FROM s.last_attempt_at)))
                THEN s.sync_date END) AS new_from,
       MAX(CASE WHEN t.id IS NULL
                  OR ((s.last_attempt_at >= t.last_attempt_at OR t.last_attempt_at IS NULL
                       OR s.attempts > t.attempts)
                      AND (t.sync_date <> s.sync_date OR t.status <> s.status
                           OR t.category IS DISTINCT FROM s.category
                      OR (s.kind = 'summary_invoice' AND t.last_attempt_at IS DISTINCT FROM s.last_attempt_at)))
                THEN s.sync_date END) AS new_to,
       MIN(CASE WHEN t.id IS NOT NULL
                 AND (s.last_attempt_at >= t.last_attempt_at OR t.last_attempt_at IS NULL
                      OR s.attempts > t.attempts)
                 AND (t.sync_date <> s.sync_date OR t.status <> s.status
                      OR t.category IS DISTINCT FROM s.category
                      OR (s.kind = 'summary_invoice' AND t.last_attempt_at IS DISTINCT FROM s.last_attempt_at))
                THEN t.sync_date END) AS old_from,
       MAX(CASE WHEN t.id IS NOT NULL
                 AND (s.last_attempt_at >= t.last_attempt_at OR t.last_attempt_at IS NULL
                      OR s.attempts > t.attempts)
                 AND (t.sync_date <> s.sync_date OR t.status <> s.status
                      OR t.category IS DISTINCT FROM s.category
                      OR (s.kind = 'summary_invoice' AND t.last_attempt_at IS DISTINCT FROM s.last_attempt_at))
                THEN t.sync_date END) AS old_to
FROM stage_documents s
LEFT JOIN sync_document t ON t.center_id = s.center_id AND t.kind = s.kind AND t.document_no = s.document_no
GROUP BY s.center_id
