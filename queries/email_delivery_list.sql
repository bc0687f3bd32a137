-- The delivery log, newest first. all_requesters = 1 shows everyone's (administrators); otherwise the
-- viewer's own sends and those of the schedules they own.
SELECT d.id, d.created_at, d.sent_at, d.occurrence_at, d.schedule_id, s.name AS schedule_name, d.recipients,
       d.subject, d.status, d.attempts, d.next_attempt_at, d.error, d.requested_by
FROM email_delivery d
LEFT JOIN email_schedule s ON s.id = d.schedule_id
LEFT JOIN app_user u ON u.id = s.owner_user_id
WHERE (:all_requesters = 1 OR d.requested_by = :username OR u.username = :username)
  AND d.status IN :statuses
  AND d.created_at >= :since
ORDER BY d.created_at DESC, d.id DESC
LIMIT :row_limit
