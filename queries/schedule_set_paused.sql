-- Pause or resume a schedule; occurrences while paused are not sent on resume (updated_at is the cursor).
UPDATE email_schedule SET paused = :paused, updated_at = :now WHERE id = :id
