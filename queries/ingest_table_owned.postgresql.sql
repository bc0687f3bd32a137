-- no-center-scope: the system catalog, for a bulk load into an empty table
-- Import on PostgreSQL: whether the importer's role owns :table_name (directly or as a member of the owning
-- role), which dropping and creating its indexes needs. A role that may only write rows imports row by row.
SELECT pg_has_role(current_user, c.relowner, 'USAGE') AS owned
FROM pg_class c
WHERE c.oid = CAST(:table_name AS regclass)
