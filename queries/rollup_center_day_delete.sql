-- Rollup refresh, step 5 (first half): forget these centers' sync_center_day rows from date_from on; their
-- running totals depend on every earlier date, so everything after a changed date is recounted.
DELETE FROM sync_center_day
WHERE center_id IN :center_ids
  AND sync_date >= :date_from
