-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of job_runs: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.finished_at IS DISTINCT FROM s.finished_at
                               OR t.status IS DISTINCT FROM s.status
                               OR t.processed IS DISTINCT FROM s.processed
                               OR t.failed IS DISTINCT FROM s.failed
                               OR t.message IS DISTINCT FROM s.message)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_job_runs s
LEFT JOIN job_run t ON t.center_id = s.center_id AND t.job = s.job AND t.started_at = s.started_at
