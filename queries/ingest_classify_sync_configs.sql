-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sync_configs: how many staged rows are new and how many differ from the stored row (per center).
-- Runs before the upsert; the rest of the staged rows are unchanged. changed_from: the earliest effective date
-- among the new and changed rows, from which on the center's rollups count differently.
SELECT s.center_id, COALESCE(SUM(CASE WHEN t.center_id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.center_id IS NOT NULL
                          AND (t.sync_type IS DISTINCT FROM s.sync_type)
                         THEN 1 ELSE 0 END), 0) AS changed_rows,
       MIN(CASE WHEN t.center_id IS NULL OR t.sync_type IS DISTINCT FROM s.sync_type
                THEN s.effective_from END) AS changed_from
FROM stage_sync_configs s
LEFT JOIN center_sync_config t ON t.center_id = s.center_id AND t.effective_from = s.effective_from
GROUP BY s.center_id
