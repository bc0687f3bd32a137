-- First and last sync date of the documents a viewer may see (home page).
SELECT MIN(sync_date) AS first_sync_date,
       MAX(sync_date) AS last_sync_date
FROM sync_daily
WHERE center_id IN :center_ids
