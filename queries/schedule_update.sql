-- Edit an email schedule (its owner stays); updated_at moves the runner's cursor so an edit sends nothing late.
UPDATE email_schedule
SET name = :schedule_name, kind = :kind, report = :report, filters_json = :filters_json, date_range = :date_range,
    frequency_json = :frequency_json, timezone = :timezone, recipients_json = :recipients_json,
    formats = :formats, only_when_issues = :only_when_issues, condition_json = :condition_json,
    last_alert_at = NULL, updated_at = :now
WHERE id = :id
