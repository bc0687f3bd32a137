-- Sync Status report (PostgreSQL): as sync_status_range.sql, with the centers bound as one array and one
-- backward index probe per center and end of the range.
SELECT c.center_id,
       hi.run_inv_processed - COALESCE(lo.run_inv_processed, 0) AS inv_processed,
       hi.run_inv_pending - COALESCE(lo.run_inv_pending, 0) AS inv_pending,
       hi.run_inv_failed - COALESCE(lo.run_inv_failed, 0) AS inv_failed,
       hi.run_mj_processed - COALESCE(lo.run_mj_processed, 0) AS mj_processed,
       hi.run_mj_pending - COALESCE(lo.run_mj_pending, 0) AS mj_pending,
       hi.run_mj_failed - COALESCE(lo.run_mj_failed, 0) AS mj_failed,
       hi.run_failed_mapping_missing - COALESCE(lo.run_failed_mapping_missing, 0) AS failed_mapping_missing,
       hi.run_failed_reference_inactive_or_deleted - COALESCE(lo.run_failed_reference_inactive_or_deleted, 0) AS failed_reference_inactive_or_deleted,
       hi.run_failed_duplicate - COALESCE(lo.run_failed_duplicate, 0) AS failed_duplicate,
       hi.run_failed_stale_object - COALESCE(lo.run_failed_stale_object, 0) AS failed_stale_object,
       hi.run_failed_period_locked - COALESCE(lo.run_failed_period_locked, 0) AS failed_period_locked,
       hi.run_failed_validation - COALESCE(lo.run_failed_validation, 0) AS failed_validation,
       hi.run_failed_document_state - COALESCE(lo.run_failed_document_state, 0) AS failed_document_state,
       hi.run_failed_authorization - COALESCE(lo.run_failed_authorization, 0) AS failed_authorization,
       hi.run_failed_subscription - COALESCE(lo.run_failed_subscription, 0) AS failed_subscription,
       hi.run_failed_rate_limit - COALESCE(lo.run_failed_rate_limit, 0) AS failed_rate_limit,
       hi.run_failed_platform_unavailable - COALESCE(lo.run_failed_platform_unavailable, 0) AS failed_platform_unavailable,
       hi.run_failed_unknown - COALESCE(lo.run_failed_unknown, 0) AS failed_unknown
FROM unnest(CAST(:center_ids AS bigint[])) AS c(center_id)
CROSS JOIN LATERAL (
    SELECT * FROM sync_center_day x
    WHERE x.center_id = c.center_id AND x.sync_date <= :date_to
    ORDER BY x.sync_date DESC
    LIMIT 1
) hi
LEFT JOIN LATERAL (
    SELECT * FROM sync_center_day x
    WHERE x.center_id = c.center_id AND x.sync_date < :date_from
    ORDER BY x.sync_date DESC
    LIMIT 1
) lo ON TRUE
WHERE hi.sync_date >= :date_from
