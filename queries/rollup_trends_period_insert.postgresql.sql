-- Trends rollup refresh, step 2 (PostgreSQL): as rollup_trends_period_insert.sql, with the Monday and the first
-- of the month by date arithmetic (ISO day of week 1 = Monday).
INSERT INTO sync_center_period (
    center_id, grain, period_start,
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
    failed_unknown
)
SELECT center_id, 'week', sync_date - CAST(EXTRACT(ISODOW FROM sync_date) AS INTEGER) + 1,
       SUM(inv_processed) AS inv_processed,
       SUM(inv_pending) AS inv_pending,
       SUM(inv_failed) AS inv_failed,
       SUM(mj_processed) AS mj_processed,
       SUM(mj_pending) AS mj_pending,
       SUM(mj_failed) AS mj_failed,
       SUM(failed_mapping_missing) AS failed_mapping_missing,
       SUM(failed_reference_inactive_or_deleted) AS failed_reference_inactive_or_deleted,
       SUM(failed_duplicate) AS failed_duplicate,
       SUM(failed_stale_object) AS failed_stale_object,
       SUM(failed_period_locked) AS failed_period_locked,
       SUM(failed_validation) AS failed_validation,
       SUM(failed_document_state) AS failed_document_state,
       SUM(failed_authorization) AS failed_authorization,
       SUM(failed_subscription) AS failed_subscription,
       SUM(failed_rate_limit) AS failed_rate_limit,
       SUM(failed_platform_unavailable) AS failed_platform_unavailable,
       SUM(failed_unknown) AS failed_unknown
FROM sync_center_day
WHERE center_id IN :center_ids
  AND sync_date >= :week_from
GROUP BY center_id, sync_date - CAST(EXTRACT(ISODOW FROM sync_date) AS INTEGER) + 1
UNION ALL
SELECT center_id, 'month', sync_date - CAST(EXTRACT(DAY FROM sync_date) AS INTEGER) + 1,
       SUM(inv_processed) AS inv_processed,
       SUM(inv_pending) AS inv_pending,
       SUM(inv_failed) AS inv_failed,
       SUM(mj_processed) AS mj_processed,
       SUM(mj_pending) AS mj_pending,
       SUM(mj_failed) AS mj_failed,
       SUM(failed_mapping_missing) AS failed_mapping_missing,
       SUM(failed_reference_inactive_or_deleted) AS failed_reference_inactive_or_deleted,
       SUM(failed_duplicate) AS failed_duplicate,
       SUM(failed_stale_object) AS failed_stale_object,
       SUM(failed_period_locked) AS failed_period_locked,
       SUM(failed_validation) AS failed_validation,
       SUM(failed_document_state) AS failed_document_state,
       SUM(failed_authorization) AS failed_authorization,
       SUM(failed_subscription) AS failed_subscription,
       SUM(failed_rate_limit) AS failed_rate_limit,
       SUM(failed_platform_unavailable) AS failed_platform_unavailable,
       SUM(failed_unknown) AS failed_unknown
FROM sync_center_day
WHERE center_id IN :center_ids
  AND sync_date >= :month_from
GROUP BY center_id, sync_date - CAST(EXTRACT(DAY FROM sync_date) AS INTEGER) + 1
