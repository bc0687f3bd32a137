-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of job_runs: how many staged rows another row of the bundle with the same natural key (center_code, job, started_at)
-- supersedes (docs/DATA_FORMAT.md, repeated keys): per repeated key, all its rows but one.
SELECT COALESCE(SUM(n - 1), 0) AS superseded
FROM (SELECT COUNT(*) AS n FROM stage_job_runs GROUP BY center_id, job, started_at HAVING COUNT(*) > 1) r
