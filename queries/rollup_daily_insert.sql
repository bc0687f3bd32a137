-- Rollup refresh, step 2: recount documents per center, sync date, report line, status and failure category.
-- report_line follows the center's sync configuration in force on the sync date
-- (effective_from <= sync_date < effective_to; no configuration counts as invoice_wise):
--   invoice          -> 'invoices' on invoice_wise / invoice_wise_journal dates, else 'not_counted'
--   summary_invoice  -> 'invoices' on day_wise / day_wise_journal dates, else 'not_counted'; a day counts once:
--                       of a center's non-archived summary invoices of one sync date only the newest counts (never
--                       attempted first, then the latest last_attempt_at, then the greatest document_no), the
--                       others are 'superseded' and go to 'not_counted' (docs/REPORTS.md)
--   misc_journal -> 'misc_journals', payment -> 'payments', refund -> 'refunds',
--   purchase_order -> 'purchase_orders', transfer_order -> 'transfer_orders'.
-- category is the parsed failure category for failed documents ('unknown' when none), '' otherwise.
-- Documents are counted per (center, date, kind, status, category) first, then the few groups meet the configs.
INSERT INTO sync_daily (center_id, sync_date, report_line, status, category, documents)
SELECT x.center_id, x.sync_date, x.report_line, x.status, x.category, SUM(x.n)
FROM (
    SELECT g.center_id,
           g.sync_date,
           g.status,
           g.category,
           g.n,
           CASE g.kind
               WHEN 'invoice' THEN
                   CASE WHEN c.sync_type IS NULL OR c.sync_type IN ('invoice_wise', 'invoice_wise_journal')
                        THEN 'invoices' ELSE 'not_counted' END
               WHEN 'summary_invoice' THEN
                   CASE WHEN c.sync_type IN ('day_wise', 'day_wise_journal')
                        THEN 'invoices' ELSE 'not_counted' END
               WHEN 'misc_journal' THEN 'misc_journals'
               WHEN 'payment' THEN 'payments'
               WHEN 'refund' THEN 'refunds'
               WHEN 'purchase_order' THEN 'purchase_orders'
               WHEN 'transfer_order' THEN 'transfer_orders'
               ELSE 'not_counted'
           END AS report_line
    FROM (
        SELECT d.center_id,
               d.sync_date,
               d.kind,
               d.status,
               d.category,
               COUNT(*) AS n
        FROM (
            SELECT s.center_id,
                   s.sync_date,
                   CASE WHEN s.kind = 'summary_invoice' AND s.status <> 'archived' AND EXISTS (
                            SELECT 1 FROM sync_document n
                            WHERE n.center_id = s.center_id AND n.sync_date = s.sync_date
                              AND n.kind = 'summary_invoice' AND n.status <> 'archived'
                              AND ((n.last_attempt_at IS NULL AND s.last_attempt_at IS NOT NULL)
                                   OR n.last_attempt_at > s.last_attempt_at
                                   OR ((n.last_attempt_at = s.last_attempt_at
                                        OR (n.last_attempt_at IS NULL AND s.last_attempt_at IS NULL))
                                       AND n.document_no > s.document_no)))
                        THEN 'superseded' ELSE s.kind END AS kind,
                   s.status,
                   CASE WHEN s.status <> 'failed' THEN ''
                        WHEN s.category IS NULL OR s.category IN ('', 'success') THEN 'unknown'
                        ELSE s.category END AS category
            FROM sync_document s
            WHERE s.center_id IN :center_ids
              AND s.sync_date >= :date_from
              AND s.sync_date <= :date_to
        ) d
        GROUP BY d.center_id, d.sync_date, d.kind, d.status, d.category
    ) g
    LEFT JOIN center_sync_config c
           ON c.center_id = g.center_id
          AND c.effective_from <= g.sync_date
          AND (c.effective_to IS NULL OR g.sync_date < c.effective_to)
) x
GROUP BY x.center_id, x.sync_date, x.report_line, x.status, x.category
