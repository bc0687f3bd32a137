-- Sync Status report for a short range (PostgreSQL): as sync_status_report_days.sql, centers bound as one array.
-- The day rows are read for the dates alone; the join keeps only the viewer's centers.
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
       COALESCE(d.inv_processed, 0) AS inv_processed,
       COALESCE(d.inv_pending, 0) AS inv_pending,
       COALESCE(d.inv_failed, 0) AS inv_failed,
       COALESCE(d.mj_processed, 0) AS mj_processed,
       COALESCE(d.mj_pending, 0) AS mj_pending,
       COALESCE(d.mj_failed, 0) AS mj_failed,
       COALESCE(d.failed_mapping_missing, 0) AS failed_mapping_missing,
       COALESCE(d.failed_reference_inactive_or_deleted, 0) AS failed_reference_inactive_or_deleted,
       COALESCE(d.failed_duplicate, 0) AS failed_duplicate,
       COALESCE(d.failed_stale_object, 0) AS failed_stale_object,
       COALESCE(d.failed_period_locked, 0) AS failed_period_locked,
       COALESCE(d.failed_validation, 0) AS failed_validation,
       COALESCE(d.failed_document_state, 0) AS failed_document_state,
       COALESCE(d.failed_authorization, 0) AS failed_authorization,
       COALESCE(d.failed_subscription, 0) AS failed_subscription,
       COALESCE(d.failed_rate_limit, 0) AS failed_rate_limit,
       COALESCE(d.failed_platform_unavailable, 0) AS failed_platform_unavailable,
       COALESCE(d.failed_unknown, 0) AS failed_unknown
FROM center c
JOIN zone z ON z.id = c.zone_id
LEFT JOIN (
    SELECT center_id,
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
    WHERE sync_date >= :date_from AND sync_date <= :date_to
    GROUP BY center_id
) d ON d.center_id = c.id
WHERE c.id = ANY(CAST(:center_ids AS bigint[]))
