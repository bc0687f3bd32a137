-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sale_order_lines: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.item_code IS DISTINCT FROM s.item_code
                               OR t.account_code IS DISTINCT FROM s.account_code
                               OR t.qty IS DISTINCT FROM s.qty
                               OR t.amount IS DISTINCT FROM s.amount)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_sale_order_lines s
LEFT JOIN sale_order_line t ON t.center_id = s.center_id AND t.invoice_no = s.invoice_no AND t.line_no = s.line_no
