-- One import at a time. On SQLite, writing the run's own row takes the database's write lock up front,
-- so a second import waits here (busy timeout) instead of failing halfway through.
UPDATE import_run SET status = 'running' WHERE id = :run_id
