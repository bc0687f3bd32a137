-- A new email schedule; returns its id.
INSERT INTO email_schedule (name, owner_user_id, kind, report, filters_json, date_range, frequency_json, timezone,
                            recipients_json, formats, only_when_issues, condition_json, paused, created_at, updated_at)
VALUES (:schedule_name, :owner_user_id, :kind, :report, :filters_json, :date_range, :frequency_json, :timezone,
        :recipients_json, :formats, :only_when_issues, :condition_json, :paused, :now, :now)
RETURNING id
