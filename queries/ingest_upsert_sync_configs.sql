-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sync_configs: insert new rows, update changed ones (keyed on center_id, effective_from); identical rows are not written.
INSERT INTO center_sync_config (center_id, effective_from, sync_type)
SELECT center_id, effective_from, sync_type
FROM stage_sync_configs
WHERE true
ON CONFLICT (center_id, effective_from) DO UPDATE SET
    sync_type = excluded.sync_type
WHERE center_sync_config.sync_type IS DISTINCT FROM excluded.sync_type
