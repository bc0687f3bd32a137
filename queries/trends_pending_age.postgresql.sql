-- Trends pending age (PostgreSQL): as trends_pending_age.sql, without reading the year: the three recent buckets
-- (from day7 on) day by day, and for the oldest one only its first pending day, by a forward index probe per
-- center from date_from (to the day before day7, or date_to).
SELECT center_id,
       CASE WHEN sync_date >= :day1 THEN 0
            WHEN sync_date >= :day3 THEN 1
            ELSE 2 END AS age_bucket,
       SUM(inv_pending + mj_pending) AS documents,
       MIN(sync_date) AS oldest_sync_date
FROM sync_center_day
WHERE center_id = ANY(:center_ids)
  AND sync_date >= GREATEST(CAST(:day7 AS DATE), CAST(:date_from AS DATE)) AND sync_date <= :date_to
  AND inv_pending + mj_pending > 0
GROUP BY 1, 2
UNION ALL
SELECT c.center_id, 3, NULL, first.sync_date
FROM unnest(CAST(:center_ids AS bigint[])) AS c(center_id)
CROSS JOIN LATERAL (
    SELECT x.sync_date FROM sync_center_day x
    WHERE x.center_id = c.center_id
      AND x.sync_date >= :date_from AND x.sync_date <= LEAST(CAST(:day7 AS DATE) - 1, CAST(:date_to AS DATE))
      AND x.inv_pending + x.mj_pending > 0
    ORDER BY x.sync_date
    LIMIT 1
) first
