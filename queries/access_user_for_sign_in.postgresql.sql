-- One account by its (lower-case) username for a sign-in attempt, with its row locked until the attempt commits:
-- concurrent attempts on one account wait for each other, so each sees the count and lock the last one left.
SELECT id, username, email, display_name, role, password_hash, active, failed_attempts, locked_until
FROM app_user
WHERE username = :username
FOR UPDATE
