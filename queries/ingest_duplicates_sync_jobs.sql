-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sync_jobs: the staged rows that repeat the natural key (center_code, job) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.job
FROM stage_sync_jobs s
JOIN (SELECT center_id, job, MIN(src) AS first_src
      FROM stage_sync_jobs
      GROUP BY center_id, job
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.job = s.job
WHERE s.src > d.first_src
ORDER BY s.src
