-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of centers: insert new rows, update changed ones (keyed on code); identical rows are not written.
INSERT INTO center (code, name, zone_id, platform, timezone, active)
SELECT code, name, zone_id, platform, timezone, active
FROM stage_centers
WHERE true
ON CONFLICT (code) DO UPDATE SET
    name = excluded.name,
    zone_id = excluded.zone_id,
    platform = excluded.platform,
    timezone = excluded.timezone,
    active = excluded.active
WHERE center.name IS DISTINCT FROM excluded.name
   OR center.zone_id IS DISTINCT FROM excluded.zone_id
   OR center.platform IS DISTINCT FROM excluded.platform
   OR center.timezone IS DISTINCT FROM excluded.timezone
   OR center.active IS DISTINCT FROM excluded.active
