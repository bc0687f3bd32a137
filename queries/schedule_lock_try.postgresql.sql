-- Only one schedule runner at a time across machines (session-level advisory lock).
SELECT pg_try_advisory_lock(:key) AS locked
