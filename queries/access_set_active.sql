-- Enable or disable an account.
UPDATE app_user
SET active = :active
WHERE id = :user_id
