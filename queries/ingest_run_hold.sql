-- SQLite: a live import holds the database's write lock while it writes, which is what ingest_run_interrupted.sql
-- relies on; there is nothing to hold per run.
SELECT :run_id AS run_id
