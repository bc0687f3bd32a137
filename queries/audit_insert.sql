-- One audit event: who did what, when; detail never holds a password.
INSERT INTO audit_event (at, username, action, detail)
VALUES (:at, :username, :action, :detail)
