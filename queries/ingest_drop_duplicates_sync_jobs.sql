-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sync_jobs: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_sync_jobs.sql), before they are classified and written.
DELETE FROM stage_sync_jobs
WHERE EXISTS (SELECT 1 FROM stage_sync_jobs e
              WHERE e.center_id = stage_sync_jobs.center_id
                AND e.job = stage_sync_jobs.job
                AND e.src < stage_sync_jobs.src)
