-- Operations: per center, the newest sync date in the data and the last import that touched the center.
SELECT c.id AS center_id,
       (SELECT MAX(s.sync_date) FROM sync_daily s WHERE s.center_id = c.id) AS newest_sync_date,
       (SELECT MAX(r.finished_at)
        FROM import_center ic
        JOIN import_run r ON r.id = ic.import_run_id
        WHERE ic.center_id = c.id) AS last_import_at
FROM center c
WHERE c.id IN :center_ids
ORDER BY c.id
