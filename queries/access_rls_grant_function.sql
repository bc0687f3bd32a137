-- PostgreSQL only (migration 2): grant the reader role one table. With a scope column, the table also gets
-- row-level security: everyone else keeps every row (a permissive policy for PUBLIC; the owner bypasses RLS
-- anyway), while syncstatus_reader reads and writes only rows whose scope column is in the scope (a
-- restrictive policy). readable_columns ('' = all) limits what the reader may read. Idempotent; a table
-- that does not exist yet (created by a later migration) is skipped.
CREATE OR REPLACE FUNCTION syncstatus_grant_reader(p_table text, p_scope_column text, p_readable_columns text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    tbl text := quote_ident(p_table);
    cols text;
    seq text;
BEGIN
    IF to_regclass(tbl) IS NULL THEN
        RETURN;
    END IF;
    IF NULLIF(p_readable_columns, '') IS NULL THEN
        EXECUTE 'GRANT SELECT ON ' || tbl || ' TO syncstatus_reader';
    ELSE
        SELECT string_agg(quote_ident(c), ', ') INTO cols FROM unnest(string_to_array(p_readable_columns, ',')) AS c;
        EXECUTE 'GRANT SELECT (' || cols || ') ON ' || tbl || ' TO syncstatus_reader';
    END IF;
    IF NULLIF(p_scope_column, '') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'GRANT INSERT, UPDATE, DELETE ON ' || tbl || ' TO syncstatus_reader';
    FOR seq IN
        SELECT CAST(CAST(d.objid AS regclass) AS text)
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        WHERE d.refobjid = CAST(tbl AS regclass) AND d.deptype IN ('a', 'i')
    LOOP
        EXECUTE 'GRANT USAGE, SELECT ON SEQUENCE ' || seq || ' TO syncstatus_reader';
    END LOOP;
    EXECUTE 'ALTER TABLE ' || tbl || ' ENABLE ROW LEVEL SECURITY';
    EXECUTE 'DROP POLICY IF EXISTS syncstatus_everyone ON ' || tbl;
    EXECUTE 'CREATE POLICY syncstatus_everyone ON ' || tbl
         || ' AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true)';
    EXECUTE 'DROP POLICY IF EXISTS syncstatus_reader_scope ON ' || tbl;
    EXECUTE 'CREATE POLICY syncstatus_reader_scope ON ' || tbl
         || ' AS RESTRICTIVE FOR ALL TO syncstatus_reader'
         || ' USING (' || quote_ident(p_scope_column) || ' = ANY (syncstatus_center_scope()))'
         || ' WITH CHECK (' || quote_ident(p_scope_column) || ' = ANY (syncstatus_center_scope()))';
END
$fn$
