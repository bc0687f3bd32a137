-- Every app account whose email is this address (case-insensitive), active or not: a disabled or locked
-- account's address receives nothing (schedules.recipient_refusal).
SELECT id, username, role, email, active, locked_until
FROM app_user
WHERE LOWER(email) = LOWER(:email)
ORDER BY id
