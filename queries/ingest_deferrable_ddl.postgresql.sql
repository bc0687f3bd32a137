-- no-center-scope: the system catalog, for a bulk load into an empty table
-- Import on PostgreSQL, before a bulk load into an empty table (:table_name): the table's non-unique indexes and
-- its foreign keys, which the importer drops for the load and creates again afterwards from these definitions
-- (as the server prints them: pg_get_indexdef, pg_get_constraintdef), the way pg_restore loads data before it
-- builds indexes. Unique and primary keys stay: the load's upserts and duplicate checks need them.
SELECT 'index' AS what, i.relname AS name, pg_get_indexdef(i.oid) AS definition
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = CAST(:table_name AS regclass)
  AND NOT x.indisunique
  AND NOT x.indisprimary
UNION ALL
SELECT 'foreign key' AS what, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c
WHERE c.conrelid = CAST(:table_name AS regclass)
  AND c.contype = 'f'
ORDER BY what, name
