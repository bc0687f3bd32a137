-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of accounts: insert new rows, update changed ones (keyed on center_id, code); identical rows are not written.
INSERT INTO account (center_id, code, name, type, active, last_read_at, deleted_in_platform_at)
SELECT center_id, code, name, type, active, last_read_at, deleted_in_platform_at
FROM stage_accounts
WHERE true
ON CONFLICT (center_id, code) DO UPDATE SET
    name = excluded.name,
    type = excluded.type,
    active = excluded.active,
    last_read_at = excluded.last_read_at,
    deleted_in_platform_at = excluded.deleted_in_platform_at
WHERE account.name IS DISTINCT FROM excluded.name
   OR account.type IS DISTINCT FROM excluded.type
   OR account.active IS DISTINCT FROM excluded.active
   OR account.last_read_at IS DISTINCT FROM excluded.last_read_at
   OR account.deleted_in_platform_at IS DISTINCT FROM excluded.deleted_in_platform_at
