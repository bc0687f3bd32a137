-- SQLite: nothing was held per run (see ingest_run_hold.sql).
SELECT :run_id AS run_id
