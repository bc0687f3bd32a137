-- Operations, data problems: Day Wise days of [date_from, date_to] with several (non-archived) summary invoices.
-- The report counts such a day once, with its newest summary's status (rollup_daily_insert.sql).
SELECT d.center_id,
       d.sync_date,
       COUNT(*) AS summaries,
       MIN(d.document_no) AS first_no,
       MAX(d.document_no) AS last_no
FROM sync_document d
JOIN center_sync_config c
  ON c.center_id = d.center_id
 AND c.effective_from <= d.sync_date
 AND (c.effective_to IS NULL OR d.sync_date < c.effective_to)
WHERE d.center_id IN :center_ids
  AND d.kind = 'summary_invoice'
  AND d.status <> 'archived'
  AND d.sync_date >= :date_from
  AND d.sync_date <= :date_to
  AND c.sync_type IN ('day_wise', 'day_wise_journal')
GROUP BY d.center_id, d.sync_date
HAVING COUNT(*) > 1
ORDER BY d.center_id, d.sync_date
