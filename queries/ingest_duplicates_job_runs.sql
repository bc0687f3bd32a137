-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of job_runs: the staged rows that repeat the natural key (center_code, job, started_at) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.job, s.started_at
FROM stage_job_runs s
JOIN (SELECT center_id, job, started_at, MIN(src) AS first_src
      FROM stage_job_runs
      GROUP BY center_id, job, started_at
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.job = s.job
 AND d.started_at = s.started_at
WHERE s.src > d.first_src
ORDER BY s.src
