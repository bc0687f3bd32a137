-- Documents per report line and status over all time, for the viewer's centers (home page).
SELECT report_line, status, SUM(documents) AS documents
FROM sync_monthly
WHERE center_id IN :center_ids
GROUP BY report_line, status
