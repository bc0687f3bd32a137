-- no-center-scope: the system catalog, for a bulk load into an empty ledger
-- Import on PostgreSQL, a bulk load into an empty ledger: the unique keys of :table_name (not its primary key),
-- which the importer drops for the load and builds again afterwards from these definitions.
SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c
WHERE c.conrelid = CAST(:table_name AS regclass)
  AND c.contype = 'u'
ORDER BY c.conname
