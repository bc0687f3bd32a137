-- Trends rollup refresh, step 4: spike_baseline from sync_center_day for these centers' days from date_from on,
-- reading window_days more days of history: per day with settled (processed + failed) invoices and misc.
-- journals, its failure rate and the trailing baseline over the window_days calendar days before it (mean rate,
-- mean squared rate, days with a rate). The same window as trends_spike_candidates.sql, stored for its default.
-- SQLite: the window orders by julianday() so RANGE counts calendar days (PostgreSQL variant beside this file).
INSERT INTO spike_baseline (center_id, sync_date, failed, settled, rate, base_mean, base_square, base_days)
WITH rated AS (
    SELECT center_id,
           sync_date,
           inv_failed + mj_failed AS failed,
           inv_processed + inv_failed + mj_processed + mj_failed AS settled,
           CAST(inv_failed + mj_failed AS REAL) / (inv_processed + inv_failed + mj_processed + mj_failed) AS rate
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
    WINDOW w AS (PARTITION BY center_id ORDER BY julianday(sync_date)
                 RANGE BETWEEN :window_days PRECEDING AND 1 PRECEDING)
)
SELECT center_id, sync_date, failed, settled, rate, base_mean, base_square, base_days
FROM based
WHERE sync_date >= :date_from
