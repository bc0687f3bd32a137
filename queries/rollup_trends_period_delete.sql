-- Trends rollup refresh (rollup_trends.refresh), step 1: forget these centers' week and month sums from the
-- period holding the first changed date on (week_from is its Monday, month_from the first of its month).
DELETE FROM sync_center_period
WHERE center_id IN :center_ids
  AND ((grain = 'week' AND period_start >= :week_from) OR (grain = 'month' AND period_start >= :month_from))
