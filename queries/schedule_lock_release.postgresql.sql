-- Release the schedule runner's advisory lock.
SELECT pg_advisory_unlock(:key) AS released
