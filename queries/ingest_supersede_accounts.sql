-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of accounts: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
-- One sort of the staged rows (a window), not a probe per row: SQLite has no index on a staging table.
DELETE FROM stage_accounts
WHERE src IN (SELECT src
              FROM (SELECT src, ROW_NUMBER() OVER (PARTITION BY center_id, code ORDER BY src DESC) AS newest
                    FROM stage_accounts) r
              WHERE newest > 1)
