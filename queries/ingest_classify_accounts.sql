-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of accounts: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.name IS DISTINCT FROM s.name
                               OR t.type IS DISTINCT FROM s.type
                               OR t.active IS DISTINCT FROM s.active
                               OR t.last_read_at IS DISTINCT FROM s.last_read_at
                               OR t.deleted_in_platform_at IS DISTINCT FROM s.deleted_in_platform_at)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_accounts s
LEFT JOIN account t ON t.center_id = s.center_id AND t.code = s.code
