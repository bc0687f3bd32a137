-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of zones: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.name IS DISTINCT FROM s.name)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_zones s
LEFT JOIN zone t ON t.code = s.code
