-- SQLite: runs left at 'running' by an importer that died without a word (SIGKILL). This runs holding the
-- database's write lock, which a live import holds for its whole data transaction, so no other run is importing
-- now; one that is still waiting for the lock marks itself 'running' again when it gets it (ingest_lock.sql).
UPDATE import_run
SET status = 'interrupted',
    error = 'the import stopped without finishing (its process was killed or lost its database connection); nothing of it was loaded'
WHERE status = 'running'
  AND id <> :run_id
