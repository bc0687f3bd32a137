-- Record the outcome of one attempt.
UPDATE email_delivery
SET status = :status, subject = :subject, attempts = :attempts, next_attempt_at = :next_attempt_at,
    error = :error, sent_at = :sent_at
WHERE id = :id
