-- Rollup refresh, step 4: the affected months again, summed from sync_daily (SQLite: 'start of month').
INSERT INTO sync_monthly (center_id, month_start, report_line, status, category, documents)
SELECT center_id, date(sync_date, 'start of month'), report_line, status, category, SUM(documents)
FROM sync_daily
WHERE center_id IN :center_ids
  AND sync_date >= :month_from
  AND sync_date <= :month_end
GROUP BY center_id, date(sync_date, 'start of month'), report_line, status, category
