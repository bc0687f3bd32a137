-- Email schedules with their owner's username. Not center data: reports are rebuilt per recipient later.
-- all_owners = 1 lists every schedule (administrators); otherwise only the given user's own.
SELECT s.id, s.name, s.kind, s.report, s.filters_json, s.date_range, s.frequency_json, s.timezone,
       s.recipients_json, s.formats, s.only_when_issues, s.condition_json, s.paused, s.last_alert_at,
       s.created_at, s.updated_at, s.owner_user_id, u.username AS owner
FROM email_schedule s
LEFT JOIN app_user u ON u.id = s.owner_user_id
WHERE (:all_owners = 1 OR u.username = :username)
ORDER BY s.name, s.id
