-- Trends, spikes for any window (trends_spike_baseline.sql reads the stored default): per center and day of
-- sync_center_day, failed and settled (processed + failed) invoices and misc. journals, with the center's
-- trailing baseline over the window_days calendar days before (mean of the daily failure rate, mean of its
-- square, number of days with a rate). Only days in [date_from, date_to] with failures and at least
-- min_documents settled documents whose rate exceeds the baseline by more than min_rise and by more than
-- k_std standard deviations (compared squared, so no square root is needed) come back, so only spikes leave the
-- database; reports/trends.flag_spikes applies the same rule again and computes the threshold shown.
-- SQLite: the window orders by julianday() so RANGE counts calendar days (PostgreSQL variant beside this file).
WITH rated AS (
    SELECT center_id,
           sync_date,
           inv_failed + mj_failed AS failed,
           inv_processed + inv_failed + mj_processed + mj_failed AS settled,
           CAST(inv_failed + mj_failed AS REAL) / (inv_processed + inv_failed + mj_processed + mj_failed) AS rate
    FROM sync_center_day
    WHERE center_id IN :center_ids
      AND sync_date >= :history_from AND sync_date <= :date_to
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
  AND failed > 0
  AND settled >= :min_documents
  AND base_days >= :min_history_days
  AND rate - base_mean > :min_rise
  AND (rate - base_mean) * (rate - base_mean) > :k_std_squared * (base_square - base_mean * base_mean)
ORDER BY center_id, sync_date
