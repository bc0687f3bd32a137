-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sync_configs: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_sync_configs.sql), before they are classified and written.
DELETE FROM stage_sync_configs
WHERE EXISTS (SELECT 1 FROM stage_sync_configs e
              WHERE e.center_id = stage_sync_configs.center_id
                AND e.effective_from = stage_sync_configs.effective_from
                AND e.src < stage_sync_configs.src)
