-- PostgreSQL: the viewer's centers bound as one array (see syncstatus/sql.py).
-- The centers a viewer may see, with zone and platform, and whether a sync job is configured.
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
            THEN 1 ELSE 0 END AS has_sync_job
FROM center c
JOIN zone z ON z.id = c.zone_id
WHERE c.id = ANY(:center_ids)
ORDER BY z.name, c.name
