-- Trends rollup refresh, step 4 (PostgreSQL): as rollup_trends_spike_insert.sql. The window orders by the day
-- number (date minus a fixed date) so RANGE counts calendar days; the rate is NUMERIC because avg(numeric) has an
-- inverse transition, which keeps a sliding frame linear (stored as double precision).
INSERT INTO spike_baseline (center_id, sync_date, failed, settled, rate, base_mean, base_square, base_days)
WITH rated AS (
    SELECT center_id,
           sync_date,
           inv_failed + mj_failed AS failed,
           inv_processed + inv_failed + mj_processed + mj_failed AS settled,
           CAST(inv_failed + mj_failed AS NUMERIC) / (inv_processed + inv_failed + mj_processed + mj_failed) AS rate
    FROM sync_center_day
    WHERE center_id IN :center_ids
      AND sync_date >= :history_from
      AND inv_processed + inv_failed + mj_processed + mj_failed > 0
),
based AS (
    SELECT center_id, sync_date, failed, settled, rate,
           AVG(rate) OVER w AS base_mean,
           AVG(rate * rate) OVER w AS base_square,
           COUNT(rate) OVER w AS base_days
    FROM rated
    WINDOW w AS (PARTITION BY center_id ORDER BY (sync_date - DATE '2000-01-01')
                 RANGE BETWEEN CAST(:window_days AS INTEGER) PRECEDING AND 1 PRECEDING)
)
SELECT center_id, sync_date, failed, settled, rate, base_mean, base_square, base_days
FROM based
WHERE sync_date >= :date_from
