-- Trends: documents per day (or per whole month), report line, status and failure category, over the viewer's
-- centers. Whole months [month_from, month_to) come from sync_monthly (dated by month_start), the days at either
-- end from sync_daily; for the day and week grains the month part is empty and every day comes from sync_daily.
SELECT day, report_line, status, category, SUM(documents) AS documents
FROM (
    SELECT month_start AS day, report_line, status, category, documents
    FROM sync_monthly
    WHERE center_id IN :center_ids
      AND month_start >= :month_from AND month_start < :month_to
      AND report_line IN ('invoices', 'misc_journals')
      AND status IN ('processed', 'pending', 'failed')
    UNION ALL
    SELECT sync_date AS day, report_line, status, category, documents
    FROM sync_daily
    WHERE center_id IN :center_ids
      AND ((sync_date >= :date_from AND sync_date < :head_end)
           OR (sync_date >= :tail_start AND sync_date <= :date_to))
      AND report_line IN ('invoices', 'misc_journals')
      AND status IN ('processed', 'pending', 'failed')
) AS t
GROUP BY day, report_line, status, category
ORDER BY day, report_line, status, category
