-- After a successful sign-in, or when a lockout has expired: count failures afresh.
UPDATE app_user
SET failed_attempts = 0, locked_until = NULL
WHERE id = :user_id
