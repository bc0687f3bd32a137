-- An app user by username (owner of a schedule).
SELECT id, username, role, email, active
FROM app_user
WHERE username = :username
