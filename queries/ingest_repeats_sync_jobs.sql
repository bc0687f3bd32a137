-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sync_jobs: how many staged rows another row of the bundle with the same natural key (center_code, job)
-- supersedes (docs/DATA_FORMAT.md, repeated keys): per repeated key, all its rows but one.
SELECT COALESCE(SUM(n - 1), 0) AS superseded
FROM (SELECT COUNT(*) AS n FROM stage_sync_jobs GROUP BY center_id, job HAVING COUNT(*) > 1) r
