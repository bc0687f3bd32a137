-- One import at a time: a transaction-scoped advisory lock, released at commit or rollback. The import's
-- set-based statements (classify, insert, rollup GROUP BY) get more sort/hash memory for this transaction.
-- Its own key (7243001 = migrations, 7243002 = schedule runner): an import must not lock out email.
SELECT pg_advisory_xact_lock(7243003), set_config('work_mem', '64MB', true)
