-- Operations: the jobs configured per center, each with its latest run and its latest successful run, up to now
-- (a run dated after now is suspect: operations_problem_future_runs.sql lists it).
SELECT j.center_id,
       j.job,
       j.enabled,
       j.schedule,
       r.started_at AS last_started_at,
       r.finished_at AS last_finished_at,
       r.status AS last_status,
       r.processed AS last_processed,
       r.failed AS last_failed,
       r.message AS last_message,
       s.last_success_at
FROM sync_job j
LEFT JOIN (SELECT center_id, job, MAX(started_at) AS started_at
           FROM job_run
           WHERE center_id IN :center_ids AND started_at <= :now
           GROUP BY center_id, job) m
       ON m.center_id = j.center_id AND m.job = j.job
LEFT JOIN job_run r
       ON r.center_id = m.center_id AND r.job = m.job AND r.started_at = m.started_at
LEFT JOIN (SELECT center_id, job, MAX(COALESCE(finished_at, started_at)) AS last_success_at
           FROM job_run
           WHERE center_id IN :center_ids AND status = 'succeeded' AND started_at <= :now
           GROUP BY center_id, job) s
       ON s.center_id = j.center_id AND s.job = j.job
WHERE j.center_id IN :center_ids
ORDER BY j.center_id, j.job
