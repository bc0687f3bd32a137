-- Emails one user has sent since a time (their Email now sends and their schedules'): the send rate limit.
SELECT COUNT(*) AS sent
FROM email_delivery
WHERE COALESCE(requested_by, '') = :username AND sent_at >= :since
