-- Sync Status report, one statement (PostgreSQL): as sync_status_report.sql, with the centers bound as one array
-- and one backward index probe per center for each end of the range.
SELECT c.id AS center_id,
       c.code AS center_code,
       c.name AS center_name,
       z.code AS zone_code,
       z.name AS zone_name,
       c.platform,
       CASE WHEN EXISTS (SELECT 1 FROM sync_job j WHERE j.center_id = c.id AND j.enabled = TRUE)
              OR EXISTS (SELECT 1 FROM center_sync_config s WHERE s.center_id = c.id)
            THEN 1 ELSE 0 END AS has_sync_job,
       CASE WHEN EXISTS (SELECT 1 FROM sync_center_day u WHERE u.center_id = c.id) THEN 1 ELSE 0 END AS has_documents,
       CASE WHEN EXISTS (SELECT 1 FROM sync_center_day u
                         WHERE u.center_id = c.id AND u.sync_date >= :date_from AND u.sync_date <= :date_to
                           AND u.sync_date < COALESCE((SELECT MIN(s.effective_from) FROM center_sync_config s
                                                       WHERE s.center_id = c.id), :after_to))
            THEN 1 ELSE 0 END AS unconfigured,
       COALESCE(hi.run_inv_processed - COALESCE(lo.run_inv_processed, 0), 0) AS inv_processed,
       COALESCE(hi.run_inv_pending - COALESCE(lo.run_inv_pending, 0), 0) AS inv_pending,
       COALESCE(hi.run_inv_failed - COALESCE(lo.run_inv_failed, 0), 0) AS inv_failed,
       COALESCE(hi.run_mj_processed - COALESCE(lo.run_mj_processed, 0), 0) AS mj_processed,
       COALESCE(hi.run_mj_pending - COALESCE(lo.run_mj_pending, 0), 0) AS mj_pending,
       COALESCE(hi.run_mj_failed - COALESCE(lo.run_mj_failed, 0), 0) AS mj_failed,
       COALESCE(hi.run_failed_mapping_missing - COALESCE(lo.run_failed_mapping_missing, 0), 0) AS failed_mapping_missing,
       COALESCE(hi.run_failed_reference_inactive_or_deleted - COALESCE(lo.run_failed_reference_inactive_or_deleted, 0), 0) AS failed_reference_inactive_or_deleted,
       COALESCE(hi.run_failed_duplicate - COALESCE(lo.run_failed_duplicate, 0), 0) AS failed_duplicate,
       COALESCE(hi.run_failed_stale_object - COALESCE(lo.run_failed_stale_object, 0), 0) AS failed_stale_object,
       COALESCE(hi.run_failed_period_locked - COALESCE(lo.run_failed_period_locked, 0), 0) AS failed_period_locked,
       COALESCE(hi.run_failed_validation - COALESCE(lo.run_failed_validation, 0), 0) AS failed_validation,
       COALESCE(hi.run_failed_document_state - COALESCE(lo.run_failed_document_state, 0), 0) AS failed_document_state,
       COALESCE(hi.run_failed_authorization - COALESCE(lo.run_failed_authorization, 0), 0) AS failed_authorization,
       COALESCE(hi.run_failed_subscription - COALESCE(lo.run_failed_subscription, 0), 0) AS failed_subscription,
       COALESCE(hi.run_failed_rate_limit - COALESCE(lo.run_failed_rate_limit, 0), 0) AS failed_rate_limit,
       COALESCE(hi.run_failed_platform_unavailable - COALESCE(lo.run_failed_platform_unavailable, 0), 0) AS failed_platform_unavailable,
       COALESCE(hi.run_failed_unknown - COALESCE(lo.run_failed_unknown, 0), 0) AS failed_unknown
FROM center c
JOIN zone z ON z.id = c.zone_id
LEFT JOIN LATERAL (
    SELECT * FROM sync_center_day x
    WHERE x.center_id = c.id AND x.sync_date >= :date_from AND x.sync_date <= :date_to
    ORDER BY x.sync_date DESC
    LIMIT 1
) hi ON TRUE
LEFT JOIN LATERAL (
    SELECT * FROM sync_center_day x
    WHERE x.center_id = c.id AND x.sync_date < :date_from
    ORDER BY x.sync_date DESC
    LIMIT 1
) lo ON hi.center_id IS NOT NULL
WHERE c.id = ANY(CAST(:center_ids AS bigint[]))
