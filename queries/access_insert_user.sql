-- A new account; its scopes follow in user_scope.
INSERT INTO app_user (username, email, display_name, role, password_hash, active, failed_attempts, created_at)
VALUES (:username, :email, :display_name, :role, :password_hash, TRUE, 0, :created_at)
