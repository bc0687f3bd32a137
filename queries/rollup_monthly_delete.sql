-- Rollup refresh, step 3: forget the monthly counts of these centers for the affected months.
DELETE FROM sync_monthly
WHERE center_id IN :center_ids
  AND month_start >= :month_from
  AND month_start <= :month_to
