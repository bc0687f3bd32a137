-- One more consecutive failed sign-in, counted in the database so concurrent attempts all count.
UPDATE app_user
SET failed_attempts = failed_attempts + 1
WHERE id = :user_id
RETURNING failed_attempts
