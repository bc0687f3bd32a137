-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of payments: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.invoice_no IS DISTINCT FROM s.invoice_no
                               OR t.payment_type IS DISTINCT FROM s.payment_type
                               OR t.account_code IS DISTINCT FROM s.account_code
                               OR t.amount IS DISTINCT FROM s.amount
                               OR t.paid_on IS DISTINCT FROM s.paid_on)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_payments s
LEFT JOIN payment t ON t.center_id = s.center_id AND t.payment_no = s.payment_no
