-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of accounts: the staged rows that repeat the natural key (center_code, account_code) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.code
FROM stage_accounts s
JOIN (SELECT center_id, code, MIN(src) AS first_src
      FROM stage_accounts
      GROUP BY center_id, code
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.code = s.code
WHERE s.src > d.first_src
ORDER BY s.src
