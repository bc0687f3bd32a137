-- One import at a time: a transaction-scoped advisory lock, released at commit or rollback. The import's
-- set-based statements (classify, insert, rollup GROUP BY) get more sort/hash memory for this transaction, and no
-- JIT compilation: its chunk inserts and rollup statements are planned large but run once each, and compiling them
-- (hundreds of milliseconds apiece, over a hundred statements for a large bundle) costs more than it saves.
-- Its own key (7243001 = migrations, 7243002 = schedule runner): an import must not lock out email.
SELECT pg_advisory_xact_lock(7243003), set_config('work_mem', '64MB', true), set_config('jit', 'off', true)
