-- Trends: per center and day, failed and settled (processed + failed) invoices and misc. journals, with the
-- center's trailing baseline over the window_days calendar days before (mean of the daily failure rate, mean of
-- its square, number of days with a rate). Only days in [date_from, date_to] with failures and at least
-- min_documents settled documents whose rate exceeds the baseline by more than min_rise and by more than
-- k_std standard deviations (compared squared, so no square root is needed) come back, so only spikes leave the
-- database; reports/trends.flag_spikes applies the same rule again and computes the threshold shown.
-- SQLite: the window orders by julianday() so RANGE counts calendar days (PostgreSQL variant beside this file).
WITH per_day AS (
    SELECT center_id,
           sync_date,
           SUM(CASE WHEN status = 'failed' THEN documents ELSE 0 END) AS failed,
           SUM(documents) AS settled
    FROM sync_daily
    WHERE center_id IN :center_ids
      AND sync_date >= :history_from AND sync_date <= :date_to
      AND report_line IN ('invoices', 'misc_journals')
      AND status IN ('processed', 'failed')
    GROUP BY center_id, sync_date
),
rated AS (
    SELECT center_id, sync_date, failed, settled, CAST(failed AS REAL) / settled AS rate
    FROM per_day
    WHERE settled > 0
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
