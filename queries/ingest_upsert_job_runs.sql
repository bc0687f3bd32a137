-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of job_runs: insert new rows, update changed ones (keyed on center_id, job, started_at); identical rows are not written.
INSERT INTO job_run (center_id, job, started_at, finished_at, status, processed, failed, message)
SELECT center_id, job, started_at, finished_at, status, processed, failed, message
FROM stage_job_runs
WHERE true
ON CONFLICT (center_id, job, started_at) DO UPDATE SET
    finished_at = excluded.finished_at,
    status = excluded.status,
    processed = excluded.processed,
    failed = excluded.failed,
    message = excluded.message
WHERE job_run.finished_at IS DISTINCT FROM excluded.finished_at
   OR job_run.status IS DISTINCT FROM excluded.status
   OR job_run.processed IS DISTINCT FROM excluded.processed
   OR job_run.failed IS DISTINCT FROM excluded.failed
   OR job_run.message IS DISTINCT FROM excluded.message
