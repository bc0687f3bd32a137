-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of items: the staged rows that repeat the natural key (center_code, item_code) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.code
FROM stage_items s
JOIN (SELECT center_id, code, MIN(src) AS first_src
      FROM stage_items
      GROUP BY center_id, code
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.code = s.code
WHERE s.src > d.first_src
ORDER BY s.src
