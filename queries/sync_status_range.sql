-- Sync Status report: per center of the viewer (narrowed to the given centers), the counts of [date_from, date_to] from
-- sync_center_day's running totals: the row at or before date_to minus the row before date_from. Centers
-- without documents in the range are not returned (the report shows them with zeros).
SELECT hi.center_id,
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
FROM sync_center_day hi
LEFT JOIN sync_center_day lo
       ON lo.center_id = hi.center_id
      AND lo.sync_date = (SELECT MAX(x.sync_date) FROM sync_center_day x
                          WHERE x.center_id = hi.center_id AND x.sync_date < :date_from)
WHERE hi.center_id IN :center_ids
  AND hi.sync_date = (SELECT MAX(x.sync_date) FROM sync_center_day x
                      WHERE x.center_id = hi.center_id AND x.sync_date <= :date_to)
  AND hi.sync_date >= :date_from
