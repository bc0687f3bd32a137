-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents: among staged rows with the same natural key (center_code, kind, document_no) the newest wins:
-- the latest last_attempt_at (naive UTC by now, offsets applied; a row without one is older than any row with one),
-- the later line of the bundle on equal times. The rows it supersedes are dropped before the rest is classified and
-- written (ingest_repeat_attempts_documents gave the winner the largest attempts of its key first). One sort of the
-- staged rows (a window), not a probe per row: SQLite has no index on a staging table.
DELETE FROM stage_documents
WHERE src IN (SELECT src
              FROM (SELECT src, ROW_NUMBER() OVER (PARTITION BY center_id, kind, document_no
                                                   ORDER BY last_attempt_at DESC NULLS LAST, src DESC) AS newest
                    FROM stage_documents) r
              WHERE newest > 1)
