-- Misc Journal Entries report: misc journal documents in the ledger (as Sync Status counts them, by sync date),
-- with the journal's register, kind, accounts (deleted / inactive in the platform flagged) and amount.
SELECT d.center_id,
       d.document_no AS journal_no,
       m.register,
       m.kind,
       d.sync_date,
       m.journal_date,
       m.debit_account_code,
       da.name AS debit_account_name,
       da.active AS debit_active,
       da.deleted_in_platform_at AS debit_deleted_at,
       m.credit_account_code,
       ca.name AS credit_account_name,
       ca.active AS credit_active,
       ca.deleted_in_platform_at AS credit_deleted_at,
       COALESCE(m.amount, d.amount) AS amount,
       d.status,
       d.pending_reason,
       d.attempts,
       d.last_attempt_at,
       d.external_ref,
       d.response_code,
       d.category,
       d.message,
       d.reference
FROM sync_document d
LEFT JOIN misc_journal m ON m.center_id = d.center_id AND m.journal_no = d.document_no
LEFT JOIN account da ON da.center_id = m.center_id AND da.code = m.debit_account_code
LEFT JOIN account ca ON ca.center_id = m.center_id AND ca.code = m.credit_account_code
WHERE d.center_id IN :center_ids
  AND d.kind = 'misc_journal'
  AND d.sync_date >= :date_from
  AND d.sync_date <= :date_to
  AND (:any_status = 1 OR d.status IN :statuses)
  AND (:any_category = 1 OR COALESCE(d.category, 'unknown') IN :categories)
ORDER BY d.sync_date DESC, d.center_id, d.document_no
LIMIT :row_limit
