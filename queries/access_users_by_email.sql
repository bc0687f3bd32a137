-- Accounts with this (lower-case) email: single sign-on maps an identity to the one active account.
SELECT id, username, active
FROM app_user
WHERE LOWER(email) = :email
ORDER BY username
