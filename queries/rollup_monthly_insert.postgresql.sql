-- Rollup refresh, step 4: the affected months again, summed from sync_daily (PostgreSQL: date_trunc).
INSERT INTO sync_monthly (center_id, month_start, report_line, status, category, documents)
SELECT center_id, CAST(date_trunc('month', sync_date) AS date), report_line, status, category, SUM(documents)
FROM sync_daily
WHERE center_id IN :center_ids
  AND sync_date >= :month_from
  AND sync_date <= :month_end
GROUP BY center_id, CAST(date_trunc('month', sync_date) AS date), report_line, status, category
