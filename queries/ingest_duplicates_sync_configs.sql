-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sync_configs: the staged rows that repeat the natural key (center_code, effective_from) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.effective_from
FROM stage_sync_configs s
JOIN (SELECT center_id, effective_from, MIN(src) AS first_src
      FROM stage_sync_configs
      GROUP BY center_id, effective_from
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.effective_from = s.effective_from
WHERE s.src > d.first_src
ORDER BY s.src
