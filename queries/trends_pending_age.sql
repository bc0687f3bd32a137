-- Trends: pending invoices and misc. journals of the selected sync dates per center and age bucket
-- (0: on or after day1, 1: on or after day3, 2: on or after day7, 3: older), with the oldest pending date, from
-- sync_center_day. The oldest bucket's documents come back NULL: reports/trends.pending_rows takes them from the
-- range's running totals (all pending documents of the range minus the three recent buckets).
SELECT center_id,
       age_bucket,
       CASE WHEN age_bucket = 3 THEN NULL ELSE SUM(documents) END AS documents,
       MIN(sync_date) AS oldest_sync_date
FROM (
    SELECT center_id,
           sync_date,
           inv_pending + mj_pending AS documents,
           CASE WHEN sync_date >= :day1 THEN 0
                WHEN sync_date >= :day3 THEN 1
                WHEN sync_date >= :day7 THEN 2
                ELSE 3 END AS age_bucket
    FROM sync_center_day
    WHERE center_id IN :center_ids
      AND sync_date >= :date_from AND sync_date <= :date_to
      AND inv_pending + mj_pending > 0
) AS p
GROUP BY center_id, age_bucket
