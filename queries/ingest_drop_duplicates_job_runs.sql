-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of job_runs: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_job_runs.sql), before they are classified and written.
DELETE FROM stage_job_runs
WHERE EXISTS (SELECT 1 FROM stage_job_runs e
              WHERE e.center_id = stage_job_runs.center_id
                AND e.job = stage_job_runs.job
                AND e.started_at = stage_job_runs.started_at
                AND e.src < stage_job_runs.src)
