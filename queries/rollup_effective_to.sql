-- A config is in force until the next config of the same center starts (exclusive); the newest has none.
-- Only rows whose effective_to actually changes are written.
UPDATE center_sync_config
SET effective_to = (
    SELECT MIN(n.effective_from)
    FROM center_sync_config n
    WHERE n.center_id = center_sync_config.center_id
      AND n.effective_from > center_sync_config.effective_from
)
WHERE center_id IN :center_ids
  AND effective_to IS DISTINCT FROM (
    SELECT MIN(n.effective_from)
    FROM center_sync_config n
    WHERE n.center_id = center_sync_config.center_id
      AND n.effective_from > center_sync_config.effective_from
  )
