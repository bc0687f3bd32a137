-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sync_jobs: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.center_id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.center_id IS NOT NULL
                          AND (t.enabled IS DISTINCT FROM s.enabled
                               OR t.schedule IS DISTINCT FROM s.schedule)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_sync_jobs s
LEFT JOIN sync_job t ON t.center_id = s.center_id AND t.job = s.job
