-- Sync Status report counts per center, line and status, from the rollups:
-- whole months from sync_monthly, the partial months at either end from sync_daily.
SELECT center_id, report_line, status, category, SUM(documents) AS documents
FROM (
    SELECT center_id, report_line, status, category, documents
    FROM sync_monthly
    WHERE center_id IN :center_ids
      AND month_start >= :month_from AND month_start < :month_to
      AND report_line IN ('invoices', 'misc_journals')
    UNION ALL
    SELECT center_id, report_line, status, category, documents
    FROM sync_daily
    WHERE center_id IN :center_ids
      AND ((sync_date >= :date_from AND sync_date < :head_end)
           OR (sync_date >= :tail_start AND sync_date <= :date_to))
      AND report_line IN ('invoices', 'misc_journals')
) AS t
GROUP BY center_id, report_line, status, category
