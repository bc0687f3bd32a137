-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of stock_orders: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.order_date IS DISTINCT FROM s.order_date
                               OR t.amount IS DISTINCT FROM s.amount
                               OR t.deleted_at IS DISTINCT FROM s.deleted_at)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_stock_orders s
LEFT JOIN stock_order t ON t.center_id = s.center_id AND t.kind = s.kind AND t.order_no = s.order_no
