-- Trends, spikes for the default window (rule.window_days = schema.SPIKE_BASELINE_DAYS): the days of
-- [date_from, date_to] whose stored baseline (spike_baseline) they exceed by the rule, as
-- trends_spike_candidates.sql computes them live. The rise over the baseline comes first so the index on it
-- picks the few candidate days.
SELECT center_id, sync_date, failed, settled, rate, base_mean, base_square, base_days
FROM spike_baseline
WHERE rate - base_mean > :min_rise
  AND center_id IN :center_ids
  AND sync_date >= :date_from AND sync_date <= :date_to
  AND failed > 0
  AND settled >= :min_documents
  AND base_days >= :min_history_days
  AND (rate - base_mean) * (rate - base_mean) > :k_std_squared * (base_square - base_mean * base_mean)
ORDER BY center_id, sync_date
