-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of accounts: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_accounts
WHERE EXISTS (SELECT 1 FROM stage_accounts e
              WHERE e.src > stage_accounts.src
                AND e.center_id = stage_accounts.center_id
                AND e.code = stage_accounts.code)
