-- Take a due delivery for one attempt; rowcount 0 means another runner took it first.
UPDATE email_delivery
SET status = 'sending', next_attempt_at = :lease_until
WHERE id = :id AND status = :status AND attempts = :attempts AND next_attempt_at <= :now
