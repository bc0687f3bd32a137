-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of misc_journals: how many staged rows are new and how many differ from the stored row.
-- Runs before the upsert; the rest of the staged rows are unchanged.
SELECT COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0) AS new_rows,
       COALESCE(SUM(CASE WHEN t.id IS NOT NULL
                          AND (t.register IS DISTINCT FROM s.register
                               OR t.kind IS DISTINCT FROM s.kind
                               OR t.journal_date IS DISTINCT FROM s.journal_date
                               OR t.debit_account_code IS DISTINCT FROM s.debit_account_code
                               OR t.credit_account_code IS DISTINCT FROM s.credit_account_code
                               OR t.amount IS DISTINCT FROM s.amount)
                         THEN 1 ELSE 0 END), 0) AS changed_rows
FROM stage_misc_journals s
LEFT JOIN misc_journal t ON t.center_id = s.center_id AND t.journal_no = s.journal_no
