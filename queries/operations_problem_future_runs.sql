-- Operations, data problems: job runs dated after now (a clock or export error). They are suspect: never shown as
-- a job's last run (operations_jobs.sql reads runs up to now only).
SELECT center_id,
       job,
       COUNT(*) AS runs,
       MIN(started_at) AS first_started_at,
       MAX(started_at) AS last_started_at
FROM job_run
WHERE center_id IN :center_ids
  AND started_at > :now
GROUP BY center_id, job
ORDER BY center_id, job
