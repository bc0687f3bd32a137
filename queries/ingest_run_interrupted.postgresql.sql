-- Runs left at 'running' by an importer that died without a word (SIGKILL, a lost machine): a live run holds its
-- advisory lock (7243004, run id) from start to end (ingest_run_hold.postgresql.sql), the server lets go of it when
-- the process's connection goes, so a 'running' run without it is over. Nothing of such a run was loaded: its data
-- transaction never committed.
UPDATE import_run
SET status = 'interrupted',
    error = 'the import stopped without finishing (its process was killed or lost its database connection); nothing of it was loaded'
WHERE status = 'running'
  AND id <> :run_id
  AND NOT EXISTS (
      SELECT 1
      FROM pg_locks l
      WHERE l.locktype = 'advisory'
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = 7243004
        AND CAST(l.objid AS bigint) = import_run.id
        AND l.objsubid = 2
        AND l.granted
  )
