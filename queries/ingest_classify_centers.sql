-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of centers: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.name IS DISTINCT FROM s.name
                               OR t.zone_id IS DISTINCT FROM s.zone_id
                               OR t.platform IS DISTINCT FROM s.platform
                               OR t.timezone IS DISTINCT FROM s.timezone
                               OR t.active IS DISTINCT FROM s.active)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_centers s
LEFT JOIN center t ON t.code = s.code
