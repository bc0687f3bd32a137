-- One email schedule by id, with its owner's username.
SELECT s.id, s.name, s.kind, s.report, s.filters_json, s.date_range, s.frequency_json, s.timezone,
       s.recipients_json, s.formats, s.only_when_issues, s.condition_json, s.paused, s.last_alert_at,
       s.created_at, s.updated_at, s.owner_user_id, u.username AS owner
FROM email_schedule s
LEFT JOIN app_user u ON u.id = s.owner_user_id
WHERE s.id = :id
