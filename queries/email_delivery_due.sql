-- Deliveries to try again: retrying ones whose time has come, and 'sending' ones whose runner died
-- (next_attempt_at holds the claim's lease).
SELECT id, status, attempts
FROM email_delivery
WHERE status IN ('retrying', 'sending') AND next_attempt_at <= :now
ORDER BY next_attempt_at, id
