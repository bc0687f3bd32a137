-- Claim one delivery (schedule occurrence x recipient) before sending: the unique occurrence_key makes a
-- second runner's insert fail, so each occurrence is sent once. Returns the new id.
INSERT INTO email_delivery (schedule_id, occurrence_key, occurrence_at, recipients, subject, status, attempts,
                            next_attempt_at, error, created_at, request_json, requested_by)
VALUES (:schedule_id, :occurrence_key, :occurrence_at, :recipients, :subject, :status, 0,
        :next_attempt_at, :error, :now, :request_json, :requested_by)
RETURNING id
