-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of centers: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_centers
WHERE EXISTS (SELECT 1 FROM stage_centers e
              WHERE e.src > stage_centers.src
                AND e.code = stage_centers.code)
