-- Trends rollup refresh, step 3: forget these centers' spike baselines from the first changed date on (a changed
-- day moves the baselines of the window after it, and step 4 recounts every later day).
DELETE FROM spike_baseline
WHERE center_id IN :center_ids
  AND sync_date >= :date_from
