-- The active app user whose email is this address (case-insensitive), if any.
SELECT id, username, role, email
FROM app_user
WHERE LOWER(email) = LOWER(:email) AND active = TRUE
ORDER BY id
