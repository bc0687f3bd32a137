-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of misc_journals: the staged rows that repeat the natural key (center_code, journal_no) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.journal_no
FROM stage_misc_journals s
JOIN (SELECT center_id, journal_no, MIN(src) AS first_src
      FROM stage_misc_journals
      GROUP BY center_id, journal_no
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.journal_no = s.journal_no
WHERE s.src > d.first_src
ORDER BY s.src
