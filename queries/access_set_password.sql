-- A new password hash; a new password also lifts a lockout.
UPDATE app_user
SET password_hash = :password_hash, failed_attempts = 0, locked_until = NULL
WHERE id = :user_id
