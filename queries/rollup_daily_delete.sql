-- Rollup refresh, step 1: forget the daily counts of these centers and sync dates.
DELETE FROM sync_daily
WHERE center_id IN :center_ids
  AND sync_date >= :date_from
  AND sync_date <= :date_to
