-- Trends: documents per day or per whole period (week or month: grain), as sync_center_day's columns (processed /
-- pending / failed per line, failures by category), over the viewer's centers. Whole periods
-- [period_from, period_to) come from sync_center_period (dated by period_start), the days at either end from
-- sync_center_day; for the day grain the period part is empty and every day comes from sync_center_day.
SELECT day,
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
FROM (
    SELECT period_start AS day,
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
    FROM sync_center_period
    WHERE center_id IN :center_ids
      AND grain = :grain
      AND period_start >= :period_from AND period_start < :period_to
    UNION ALL
    SELECT sync_date AS day,
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
    FROM sync_center_day
    WHERE center_id IN :center_ids
      AND sync_date >= :date_from AND sync_date < :head_end
    UNION ALL  -- the days after the last whole period (a separate branch: an OR of two date ranges
    --            would read the whole table instead of two ranges of its date index)
    SELECT sync_date AS day,
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
    FROM sync_center_day
    WHERE center_id IN :center_ids
      AND sync_date >= :tail_start AND sync_date <= :date_to
) AS t
GROUP BY day
ORDER BY day
