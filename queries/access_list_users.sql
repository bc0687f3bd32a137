-- Every account for the administrators' user list: no password hash.
SELECT id, username, role, email, display_name, active, locked_until, created_at
FROM app_user
ORDER BY username
