-- One account by its (lower-case) username, for signing in and managing users.
SELECT id, username, email, display_name, role, password_hash, active, failed_attempts, locked_until
FROM app_user
WHERE username = :username
