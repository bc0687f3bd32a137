-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sync_jobs: insert new rows, update changed ones (keyed on center_id, job); identical rows are not written.
INSERT INTO sync_job (center_id, job, enabled, schedule)
SELECT center_id, job, enabled, schedule
FROM stage_sync_jobs
WHERE true
ON CONFLICT (center_id, job) DO UPDATE SET
    enabled = excluded.enabled,
    schedule = excluded.schedule
WHERE sync_job.enabled IS DISTINCT FROM excluded.enabled
   OR sync_job.schedule IS DISTINCT FROM excluded.schedule
