-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of zones: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_zones.sql), before they are classified and written.
DELETE FROM stage_zones
WHERE EXISTS (SELECT 1 FROM stage_zones e
              WHERE e.code = stage_zones.code
                AND e.src < stage_zones.src)
