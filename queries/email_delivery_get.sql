-- One delivery with what it was asked to send.
SELECT id, schedule_id, occurrence_key, occurrence_at, recipients, subject, status, attempts, next_attempt_at,
       error, created_at, sent_at, request_json, requested_by
FROM email_delivery
WHERE id = :id
