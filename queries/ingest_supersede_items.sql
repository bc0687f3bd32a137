-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of items: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_items
WHERE EXISTS (SELECT 1 FROM stage_items e
              WHERE e.src > stage_items.src
                AND e.center_id = stage_items.center_id
                AND e.code = stage_items.code)
