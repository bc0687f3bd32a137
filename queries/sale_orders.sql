-- Sale Orders report: invoices and summary invoices in the ledger, per center and sync date, counted the way the
-- Sync Status report counts them (the configuration in force on the sync date decides invoice vs summary invoice).
-- Filters: any_status = 1 means every status, else the status list; any_category likewise for categories.
-- deleted_line_ref / deleted_payment_ref: for pending and failed documents, the first deleted/inactive item or
-- account their orders' lines or payments reference (pending: "will fail"; failed: flagged).
-- Several summary invoices on one sync date: only the day's newest non-archived one is counted and listed (the
-- rule of rollup_daily_insert.sql); it carries how many others the day has (other_summaries) and their first and
-- last numbers, shown as an anomaly.
SELECT d.center_id,
       d.document_no,
       d.kind,
       d.sync_date,
       d.amount,
       d.status,
       d.pending_reason,
       d.attempts,
       d.last_attempt_at,
       d.external_ref,
       d.response_code,
       d.category,
       d.message,
       d.reference,
       CASE WHEN d.status IN ('pending', 'failed') THEN (
           SELECT MIN(CASE WHEN i.deleted_in_platform_at IS NOT NULL THEN 'item ' || i.code
                           ELSE 'account ' || a.code END)
           FROM sale_order o
           JOIN sale_order_line l ON l.center_id = o.center_id AND l.invoice_no = o.invoice_no
           LEFT JOIN item i ON i.center_id = l.center_id AND i.code = l.item_code
           LEFT JOIN account a ON a.center_id = l.center_id AND a.code = COALESCE(l.account_code, i.account_code)
           WHERE o.center_id = d.center_id
             AND ((d.kind = 'invoice' AND o.invoice_no = d.document_no)
                  OR (d.kind = 'summary_invoice' AND o.summary_invoice_no = d.document_no))
             AND (i.deleted_in_platform_at IS NOT NULL OR a.deleted_in_platform_at IS NOT NULL OR a.active = FALSE)
       ) END AS deleted_line_ref,
       CASE WHEN d.status IN ('pending', 'failed') THEN (
           SELECT MIN('account ' || a.code)
           FROM sale_order o
           JOIN payment p ON p.center_id = o.center_id AND p.invoice_no = o.invoice_no
           JOIN account a ON a.center_id = p.center_id AND a.code = p.account_code
           WHERE o.center_id = d.center_id
             AND ((d.kind = 'invoice' AND o.invoice_no = d.document_no)
                  OR (d.kind = 'summary_invoice' AND o.summary_invoice_no = d.document_no))
             AND (a.deleted_in_platform_at IS NOT NULL OR a.active = FALSE)
       ) END AS deleted_payment_ref,
       CASE WHEN d.kind = 'summary_invoice' AND d.status <> 'archived' THEN (
           SELECT COUNT(*) FROM sync_document o
           WHERE o.center_id = d.center_id AND o.sync_date = d.sync_date AND o.kind = 'summary_invoice'
             AND o.status <> 'archived' AND o.document_no <> d.document_no
       ) ELSE 0 END AS other_summaries,
       CASE WHEN d.kind = 'summary_invoice' AND d.status <> 'archived' THEN (
           SELECT MIN(o.document_no) FROM sync_document o
           WHERE o.center_id = d.center_id AND o.sync_date = d.sync_date AND o.kind = 'summary_invoice'
             AND o.status <> 'archived' AND o.document_no <> d.document_no
       ) END AS other_summary_first,
       CASE WHEN d.kind = 'summary_invoice' AND d.status <> 'archived' THEN (
           SELECT MAX(o.document_no) FROM sync_document o
           WHERE o.center_id = d.center_id AND o.sync_date = d.sync_date AND o.kind = 'summary_invoice'
             AND o.status <> 'archived' AND o.document_no <> d.document_no
       ) END AS other_summary_last
FROM sync_document d
LEFT JOIN center_sync_config c
       ON c.center_id = d.center_id
      AND c.effective_from <= d.sync_date
      AND (c.effective_to IS NULL OR d.sync_date < c.effective_to)
WHERE d.center_id IN :center_ids
  AND d.kind IN ('invoice', 'summary_invoice')
  AND d.sync_date >= :date_from
  AND d.sync_date <= :date_to
  AND (:any_status = 1 OR d.status IN :statuses)
  AND (:any_category = 1 OR COALESCE(d.category, 'unknown') IN :categories)
  AND ((d.kind = 'invoice' AND (c.sync_type IS NULL OR c.sync_type IN ('invoice_wise', 'invoice_wise_journal')))
       OR (d.kind = 'summary_invoice' AND c.sync_type IN ('day_wise', 'day_wise_journal')
           AND (d.status = 'archived' OR NOT EXISTS (
               SELECT 1 FROM sync_document n
               WHERE n.center_id = d.center_id AND n.sync_date = d.sync_date
                 AND n.kind = 'summary_invoice' AND n.status <> 'archived'
                 AND ((n.last_attempt_at IS NULL AND d.last_attempt_at IS NOT NULL)
                      OR n.last_attempt_at > d.last_attempt_at
                      OR ((n.last_attempt_at = d.last_attempt_at
                           OR (n.last_attempt_at IS NULL AND d.last_attempt_at IS NULL))
                          AND n.document_no > d.document_no))))))
ORDER BY d.sync_date DESC, d.center_id, d.document_no
LIMIT :row_limit
