-- The end of a run: it gives up its liveness lock (see ingest_run_hold.postgresql.sql).
SELECT pg_advisory_unlock(7243004, CAST(:run_id AS integer))
