-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of misc_journals: insert new rows, update changed ones (keyed on center_id, journal_no); identical rows are not written.
INSERT INTO misc_journal (center_id, journal_no, register, kind, journal_date, debit_account_code, credit_account_code, amount)
SELECT center_id, journal_no, register, kind, journal_date, debit_account_code, credit_account_code, amount
FROM stage_misc_journals
WHERE true
ON CONFLICT (center_id, journal_no) DO UPDATE SET
    register = excluded.register,
    kind = excluded.kind,
    journal_date = excluded.journal_date,
    debit_account_code = excluded.debit_account_code,
    credit_account_code = excluded.credit_account_code,
    amount = excluded.amount
WHERE misc_journal.register IS DISTINCT FROM excluded.register
   OR misc_journal.kind IS DISTINCT FROM excluded.kind
   OR misc_journal.journal_date IS DISTINCT FROM excluded.journal_date
   OR misc_journal.debit_account_code IS DISTINCT FROM excluded.debit_account_code
   OR misc_journal.credit_account_code IS DISTINCT FROM excluded.credit_account_code
   OR misc_journal.amount IS DISTINCT FROM excluded.amount
