-- Delete a schedule; its deliveries stay in the log (schedule_id becomes NULL by the foreign key).
DELETE FROM email_schedule WHERE id = :id
