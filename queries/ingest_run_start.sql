-- A new import run, committed before the data so a failed import is still on record.
INSERT INTO import_run (source, started_at, status)
VALUES (:source, :started_at, 'running')
RETURNING id
