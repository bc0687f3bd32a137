-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of centers: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_centers.sql), before they are classified and written.
DELETE FROM stage_centers
WHERE EXISTS (SELECT 1 FROM stage_centers e
              WHERE e.code = stage_centers.code
                AND e.src < stage_centers.src)
