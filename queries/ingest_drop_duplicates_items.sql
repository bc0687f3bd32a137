-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of items: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_items.sql), before they are classified and written.
DELETE FROM stage_items
WHERE EXISTS (SELECT 1 FROM stage_items e
              WHERE e.center_id = stage_items.center_id
                AND e.code = stage_items.code
                AND e.src < stage_items.src)
