-- Rollup refresh, step 5: sync_center_day from sync_daily for these centers' dates on or after date_from (the
-- rows before it are kept; step 5's delete removed the rest). One row per center and date with that day's six
-- report cells and failures by category, plus running totals: the last kept row (the base) plus a window sum.
-- A failure category outside the known list counts as failed_unknown.
INSERT INTO sync_center_day (
    center_id, sync_date,
    inv_processed,
    inv_pending,
    inv_failed,
    mj_processed,
    mj_pending,
    mj_failed,
    failed_mapping_missing,
    failed_reference_inactive_or_deleted,
    failed_duplicate,
    failed_stale_object,
    failed_period_locked,
    failed_validation,
    failed_document_state,
    failed_authorization,
    failed_subscription,
    failed_rate_limit,
    failed_platform_unavailable,
    failed_unknown,
    run_inv_processed,
    run_inv_pending,
    run_inv_failed,
    run_mj_processed,
    run_mj_pending,
    run_mj_failed,
    run_failed_mapping_missing,
    run_failed_reference_inactive_or_deleted,
    run_failed_duplicate,
    run_failed_stale_object,
    run_failed_period_locked,
    run_failed_validation,
    run_failed_document_state,
    run_failed_authorization,
    run_failed_subscription,
    run_failed_rate_limit,
    run_failed_platform_unavailable,
    run_failed_unknown
)
WITH day_counts AS (
    SELECT center_id,
           sync_date,
           SUM(CASE WHEN report_line = 'invoices' AND status = 'processed' THEN documents ELSE 0 END) AS inv_processed,
           SUM(CASE WHEN report_line = 'invoices' AND status = 'pending' THEN documents ELSE 0 END) AS inv_pending,
           SUM(CASE WHEN report_line = 'invoices' AND status = 'failed' THEN documents ELSE 0 END) AS inv_failed,
           SUM(CASE WHEN report_line = 'misc_journals' AND status = 'processed' THEN documents ELSE 0 END) AS mj_processed,
           SUM(CASE WHEN report_line = 'misc_journals' AND status = 'pending' THEN documents ELSE 0 END) AS mj_pending,
           SUM(CASE WHEN report_line = 'misc_journals' AND status = 'failed' THEN documents ELSE 0 END) AS mj_failed,
           SUM(CASE WHEN status = 'failed' AND category = 'mapping_missing' THEN documents ELSE 0 END) AS failed_mapping_missing,
           SUM(CASE WHEN status = 'failed' AND category = 'reference_inactive_or_deleted' THEN documents ELSE 0 END) AS failed_reference_inactive_or_deleted,
           SUM(CASE WHEN status = 'failed' AND category = 'duplicate' THEN documents ELSE 0 END) AS failed_duplicate,
           SUM(CASE WHEN status = 'failed' AND category = 'stale_object' THEN documents ELSE 0 END) AS failed_stale_object,
           SUM(CASE WHEN status = 'failed' AND category = 'period_locked' THEN documents ELSE 0 END) AS failed_period_locked,
           SUM(CASE WHEN status = 'failed' AND category = 'validation' THEN documents ELSE 0 END) AS failed_validation,
           SUM(CASE WHEN status = 'failed' AND category = 'document_state' THEN documents ELSE 0 END) AS failed_document_state,
           SUM(CASE WHEN status = 'failed' AND category = 'authorization' THEN documents ELSE 0 END) AS failed_authorization,
           SUM(CASE WHEN status = 'failed' AND category = 'subscription' THEN documents ELSE 0 END) AS failed_subscription,
           SUM(CASE WHEN status = 'failed' AND category = 'rate_limit' THEN documents ELSE 0 END) AS failed_rate_limit,
           SUM(CASE WHEN status = 'failed' AND category = 'platform_unavailable' THEN documents ELSE 0 END) AS failed_platform_unavailable,
           SUM(CASE WHEN status = 'failed' AND category NOT IN (
                                 'mapping_missing', 'reference_inactive_or_deleted', 'duplicate', 'stale_object', 'period_locked', 'validation', 'document_state', 'authorization', 'subscription', 'rate_limit', 'platform_unavailable')
              THEN documents ELSE 0 END) AS failed_unknown
    FROM sync_daily
    WHERE center_id IN :center_ids
      AND sync_date >= :date_from
      AND report_line IN ('invoices', 'misc_journals')
      AND status IN ('processed', 'pending', 'failed')
    GROUP BY center_id, sync_date
),
last_kept AS (  -- each center's last date before date_from: one grouped pass, not a lookup per row
    SELECT center_id, MAX(sync_date) AS sync_date
    FROM sync_center_day
    WHERE center_id IN :center_ids
      AND sync_date < :date_from
    GROUP BY center_id
),
base AS (
    SELECT b.*
    FROM sync_center_day b
    JOIN last_kept k ON k.center_id = b.center_id AND k.sync_date = b.sync_date
)
SELECT d.center_id,
       d.sync_date,
       d.inv_processed,
       d.inv_pending,
       d.inv_failed,
       d.mj_processed,
       d.mj_pending,
       d.mj_failed,
       d.failed_mapping_missing,
       d.failed_reference_inactive_or_deleted,
       d.failed_duplicate,
       d.failed_stale_object,
       d.failed_period_locked,
       d.failed_validation,
       d.failed_document_state,
       d.failed_authorization,
       d.failed_subscription,
       d.failed_rate_limit,
       d.failed_platform_unavailable,
       d.failed_unknown,
       COALESCE(b.run_inv_processed, 0) + SUM(d.inv_processed) OVER w,
       COALESCE(b.run_inv_pending, 0) + SUM(d.inv_pending) OVER w,
       COALESCE(b.run_inv_failed, 0) + SUM(d.inv_failed) OVER w,
       COALESCE(b.run_mj_processed, 0) + SUM(d.mj_processed) OVER w,
       COALESCE(b.run_mj_pending, 0) + SUM(d.mj_pending) OVER w,
       COALESCE(b.run_mj_failed, 0) + SUM(d.mj_failed) OVER w,
       COALESCE(b.run_failed_mapping_missing, 0) + SUM(d.failed_mapping_missing) OVER w,
       COALESCE(b.run_failed_reference_inactive_or_deleted, 0) + SUM(d.failed_reference_inactive_or_deleted) OVER w,
       COALESCE(b.run_failed_duplicate, 0) + SUM(d.failed_duplicate) OVER w,
       COALESCE(b.run_failed_stale_object, 0) + SUM(d.failed_stale_object) OVER w,
       COALESCE(b.run_failed_period_locked, 0) + SUM(d.failed_period_locked) OVER w,
       COALESCE(b.run_failed_validation, 0) + SUM(d.failed_validation) OVER w,
       COALESCE(b.run_failed_document_state, 0) + SUM(d.failed_document_state) OVER w,
       COALESCE(b.run_failed_authorization, 0) + SUM(d.failed_authorization) OVER w,
       COALESCE(b.run_failed_subscription, 0) + SUM(d.failed_subscription) OVER w,
       COALESCE(b.run_failed_rate_limit, 0) + SUM(d.failed_rate_limit) OVER w,
       COALESCE(b.run_failed_platform_unavailable, 0) + SUM(d.failed_platform_unavailable) OVER w,
       COALESCE(b.run_failed_unknown, 0) + SUM(d.failed_unknown) OVER w
FROM day_counts d
LEFT JOIN base b ON b.center_id = d.center_id
WINDOW w AS (PARTITION BY d.center_id ORDER BY d.sync_date ROWS UNBOUNDED PRECEDING)
ORDER BY d.sync_date, d.center_id  -- date-major on disk, as daily imports append: a few days are a few pages
