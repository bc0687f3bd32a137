-- Too many failed sign-ins: no password is checked until locked_until.
UPDATE app_user
SET locked_until = :locked_until
WHERE id = :user_id
