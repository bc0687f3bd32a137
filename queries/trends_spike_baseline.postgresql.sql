-- Trends spikes from the stored baselines (PostgreSQL): as trends_spike_baseline.sql, with the centers bound as
-- one array.
SELECT center_id, sync_date, failed, settled, rate, base_mean, base_square, base_days
FROM spike_baseline
WHERE rate - base_mean > :min_rise
  AND center_id = ANY(:center_ids)
  AND sync_date >= :date_from AND sync_date <= :date_to
  AND failed > 0
  AND settled >= :min_documents
  AND base_days >= :min_history_days
  AND (rate - base_mean) * (rate - base_mean) > :k_std_squared * (base_square - base_mean * base_mean)
ORDER BY center_id, sync_date
