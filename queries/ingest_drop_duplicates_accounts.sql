-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of accounts: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_accounts.sql), before they are classified and written.
DELETE FROM stage_accounts
WHERE EXISTS (SELECT 1 FROM stage_accounts e
              WHERE e.center_id = stage_accounts.center_id
                AND e.code = stage_accounts.code
                AND e.src < stage_accounts.src)
