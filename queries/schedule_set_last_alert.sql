-- An alert was sent (a time) or its condition cleared (NULL).
UPDATE email_schedule SET last_alert_at = :last_alert_at WHERE id = :id
