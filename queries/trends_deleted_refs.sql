-- Trends: accounts and items deleted (or made inactive) in the accounting platform, with the failed and pending
-- documents of the selected sync dates that reference them: invoices through their lines and payments, summary
-- invoices through their sale orders, payments and misc. journals (debit or credit account) directly.
-- The counts come from the rollup blocked_reference_day (distinct documents per reference and sync date, kept by
-- the importer, with running totals): the range's count is the running total at or before date_to minus the one
-- before date_from, two index probes per reference however many days it blocks.
WITH gone AS (
    SELECT center_id, 'account' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at,
           CASE WHEN active THEN 1 ELSE 0 END AS active
    FROM account
    WHERE center_id IN :center_ids
      AND (deleted_in_platform_at IS NOT NULL OR active = FALSE)
    UNION ALL
    SELECT center_id, 'item' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at, 1 AS active
    FROM item
    WHERE center_id IN :center_ids
      AND deleted_in_platform_at IS NOT NULL
),
ends AS (
    SELECT g.center_id, g.ref_kind, g.code, g.name, g.deleted_at, g.active,
           (SELECT b.sync_date FROM blocked_reference_day b
            WHERE b.center_id = g.center_id AND b.ref_kind = g.ref_kind AND b.code = g.code
              AND b.sync_date <= :date_to
            ORDER BY b.sync_date DESC LIMIT 1) AS last_date,
           (SELECT b.sync_date FROM blocked_reference_day b
            WHERE b.center_id = g.center_id AND b.ref_kind = g.ref_kind AND b.code = g.code
              AND b.sync_date < :date_from
            ORDER BY b.sync_date DESC LIMIT 1) AS before_date
    FROM gone g
)
SELECT e.center_id, e.ref_kind, e.code, e.name, e.deleted_at, e.active,
       COALESCE(hi.run_failed_documents, 0) - COALESCE(lo.run_failed_documents, 0) AS failed_documents,
       COALESCE(hi.run_pending_documents, 0) - COALESCE(lo.run_pending_documents, 0) AS pending_documents
FROM ends e
LEFT JOIN blocked_reference_day hi ON hi.center_id = e.center_id AND hi.ref_kind = e.ref_kind AND hi.code = e.code
                                  AND hi.sync_date = e.last_date
LEFT JOIN blocked_reference_day lo ON lo.center_id = e.center_id AND lo.ref_kind = e.ref_kind AND lo.code = e.code
                                  AND lo.sync_date = e.before_date
