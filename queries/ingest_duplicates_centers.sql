-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of centers: the staged rows that repeat the natural key (center_code) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.code
FROM stage_centers s
JOIN (SELECT code, MIN(src) AS first_src
      FROM stage_centers
      GROUP BY code
      HAVING COUNT(*) > 1) d
  ON d.code = s.code
WHERE s.src > d.first_src
ORDER BY s.src
