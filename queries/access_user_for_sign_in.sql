-- One account by its (lower-case) username for a sign-in attempt. SQLite has no row locks: a write that changes
-- nothing takes the database's write lock until the attempt commits, so concurrent attempts wait for each other.
UPDATE app_user
SET failed_attempts = failed_attempts
WHERE username = :username
RETURNING id, username, email, display_name, role, password_hash, active, failed_attempts, locked_until
