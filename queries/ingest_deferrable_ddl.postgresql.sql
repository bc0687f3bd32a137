-- no-center-scope: the system catalog, for a bulk load into an empty table
-- Import on PostgreSQL, before a bulk load into an empty table (:table_name): the table's non-unique indexes, its
-- foreign keys and its unique keys (not its primary key), which the importer drops for the load and creates again
-- afterwards from these definitions (as the server prints them: pg_get_indexdef, pg_get_constraintdef), the way
-- pg_restore loads data before it builds indexes.
SELECT 'index' AS what, i.relname AS name, pg_get_indexdef(i.oid) AS definition
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = CAST(:table_name AS regclass)
  AND NOT x.indisunique
  AND NOT x.indisprimary
UNION ALL
SELECT CASE c.contype WHEN 'f' THEN 'foreign key' ELSE 'unique key' END AS what, c.conname AS name,
       pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c
WHERE c.conrelid = CAST(:table_name AS regclass)
  AND c.contype IN ('f', 'u')
ORDER BY what, name
