-- Schedules the runner considers, with the last occurrence already handled (its cursor).
SELECT s.id, s.name, s.kind, s.report, s.filters_json, s.date_range, s.frequency_json, s.timezone,
       s.recipients_json, s.formats, s.only_when_issues, s.condition_json, s.paused, s.last_alert_at,
       s.created_at, s.updated_at, s.owner_user_id, u.username AS owner,
       (SELECT MAX(d.occurrence_at) FROM email_delivery d WHERE d.schedule_id = s.id) AS last_occurrence_at
FROM email_schedule s
LEFT JOIN app_user u ON u.id = s.owner_user_id
WHERE s.paused = :paused
ORDER BY s.id
