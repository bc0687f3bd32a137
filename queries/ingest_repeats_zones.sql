-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of zones: how many staged rows another row of the bundle with the same natural key (zone_code)
-- supersedes (docs/DATA_FORMAT.md, repeated keys): per repeated key, all its rows but one.
SELECT COALESCE(SUM(n - 1), 0) AS superseded
FROM (SELECT COUNT(*) AS n FROM stage_zones GROUP BY code HAVING COUNT(*) > 1) r
