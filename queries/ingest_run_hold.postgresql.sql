-- A run is alive while its session holds this advisory lock (7243004, run id): taken when the run starts, given
-- up when it ends, and released by the server when the importing process dies (SIGKILL) with its connection.
-- Its own key space: 7243001 = migrations, 7243002 = schedule runner, 7243003 = one import at a time.
SELECT pg_advisory_lock(7243004, CAST(:run_id AS integer))
