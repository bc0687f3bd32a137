-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sale_orders: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.guest IS DISTINCT FROM s.guest
                               OR t.sale_date IS DISTINCT FROM s.sale_date
                               OR t.amount IS DISTINCT FROM s.amount
                               OR t.summary_invoice_no IS DISTINCT FROM s.summary_invoice_no)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_sale_orders s
LEFT JOIN sale_order t ON t.center_id = s.center_id AND t.invoice_no = s.invoice_no
