-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of items: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.name IS DISTINCT FROM s.name
                               OR t.item_type IS DISTINCT FROM s.item_type
                               OR t.mapped_item_type IS DISTINCT FROM s.mapped_item_type
                               OR t.platform_item IS DISTINCT FROM s.platform_item
                               OR t.account_code IS DISTINCT FROM s.account_code
                               OR t.status IS DISTINCT FROM s.status
                               OR t.raw_response IS DISTINCT FROM s.raw_response
                               OR t.category IS DISTINCT FROM s.category
                               OR t.message IS DISTINCT FROM s.message
                               OR t.deleted_in_platform_at IS DISTINCT FROM s.deleted_in_platform_at)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_items s
LEFT JOIN item t ON t.center_id = s.center_id AND t.code = s.code
