-- Operations, data problems: per center, the days of [date_from, date_to] with invoices or misc. journals before its
-- first sync configuration (or with none at all). The report counts them Invoice Wise and flags the center.
SELECT u.center_id,
       MIN(u.sync_date) AS first_date,
       MAX(u.sync_date) AS last_date,
       COUNT(*) AS days,
       SUM(u.inv_processed + u.inv_pending + u.inv_failed + u.mj_processed + u.mj_pending + u.mj_failed) AS documents
FROM sync_center_day u
LEFT JOIN (SELECT s.center_id, MIN(s.effective_from) AS first_from
           FROM center_sync_config s
           WHERE s.center_id IN :center_ids
           GROUP BY s.center_id) f
       ON f.center_id = u.center_id
WHERE u.center_id IN :center_ids
  AND u.sync_date >= :date_from
  AND u.sync_date <= :date_to
  AND (f.first_from IS NULL OR u.sync_date < f.first_from)
GROUP BY u.center_id
ORDER BY u.center_id
