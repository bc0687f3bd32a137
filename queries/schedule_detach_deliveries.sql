-- Before deleting a schedule: keep its delivery log rows, without the reference.
UPDATE email_delivery SET schedule_id = NULL WHERE schedule_id = :id
