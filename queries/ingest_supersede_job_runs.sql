-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of job_runs: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_job_runs
WHERE EXISTS (SELECT 1 FROM stage_job_runs e
              WHERE e.src > stage_job_runs.src
                AND e.center_id = stage_job_runs.center_id
                AND e.job = stage_job_runs.job
                AND e.started_at = stage_job_runs.started_at)
