-- The centers a viewer may see, with zone and platform, whether a sync job (or configuration) is set up, and whether
-- it has documents on the report's lines (a center with documents is reported even without a configuration).
-- PostgreSQL: the centers bound as one array (cheap to parse and plan at 1,000 centers).
SELECT c.id AS center_id,
       c.code AS center_code,
       c.name AS center_name,
       z.code AS zone_code,
       z.name AS zone_name,
       c.platform,
       c.timezone,
       c.active,
       CASE WHEN EXISTS (SELECT 1 FROM sync_job j WHERE j.center_id = c.id AND j.enabled = TRUE)
              OR EXISTS (SELECT 1 FROM center_sync_config s WHERE s.center_id = c.id)
            THEN 1 ELSE 0 END AS has_sync_job,
       CASE WHEN EXISTS (SELECT 1 FROM sync_center_day u WHERE u.center_id = c.id) THEN 1 ELSE 0 END AS has_documents
FROM center c
JOIN zone z ON z.id = c.zone_id
WHERE c.id = ANY(CAST(:center_ids AS bigint[]))
ORDER BY z.name, c.name
