-- no-center-scope: the system catalog, for a bulk load into an empty table
-- Import on PostgreSQL, before a bulk load into an empty table (:table_name): the table's non-unique indexes, its
-- foreign keys, its unique keys and its primary key (unless another table's foreign key refers to it), which the
-- importer drops for the load and creates again afterwards from these definitions (as the server prints them:
-- pg_get_indexdef, pg_get_constraintdef), the way pg_restore loads data before it builds indexes.
SELECT 'index' AS what, i.relname AS name, pg_get_indexdef(i.oid) AS definition
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = CAST(:table_name AS regclass)
  AND NOT x.indisunique
  AND NOT x.indisprimary
UNION ALL
SELECT CASE c.contype WHEN 'f' THEN 'foreign key' WHEN 'p' THEN 'primary key' ELSE 'unique key' END AS what,
       c.conname AS name, pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c
WHERE c.conrelid = CAST(:table_name AS regclass)
  AND (c.contype IN ('f', 'u')
       OR c.contype = 'p' AND NOT EXISTS (SELECT 1 FROM pg_constraint r
                                          WHERE r.confrelid = c.conrelid AND r.contype = 'f'))
ORDER BY what, name
