-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sync_jobs: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_sync_jobs
WHERE EXISTS (SELECT 1 FROM stage_sync_jobs e
              WHERE e.src > stage_sync_jobs.src
                AND e.center_id = stage_sync_jobs.center_id
                AND e.job = stage_sync_jobs.job)
