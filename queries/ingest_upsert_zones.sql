-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of zones: insert new rows, update changed ones (keyed on code); identical rows are not written.
INSERT INTO zone (code, name)
SELECT code, name
FROM stage_zones
WHERE true
ON CONFLICT (code) DO UPDATE SET
    name = excluded.name
WHERE zone.name IS DISTINCT FROM excluded.name
