-- PostgreSQL only (migrations 2 and 7): what the reader role may do with one table. It may SELECT the tables that
-- statements over center data read (p_select) and nothing else: no write, no sequence, no other table. With a
-- scope column, the table also gets row-level security: every other role keeps every row (a permissive policy for
-- PUBLIC; the owner bypasses RLS anyway), while the reader sees only rows whose scope column is in the
-- transaction's scope (a restrictive policy). Idempotent; a table that does not exist yet is skipped.
CREATE OR REPLACE FUNCTION syncstatus_grant_reader(p_role text, p_table text, p_scope_column text, p_select boolean)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    tbl text := quote_ident(p_table);
BEGIN
    IF to_regclass(tbl) IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('REVOKE ALL ON %s FROM %I', tbl, p_role);
    IF p_select THEN
        EXECUTE format('GRANT SELECT ON %s TO %I', tbl, p_role);
    END IF;
    IF NULLIF(p_scope_column, '') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'ALTER TABLE ' || tbl || ' ENABLE ROW LEVEL SECURITY';
    EXECUTE 'DROP POLICY IF EXISTS syncstatus_everyone ON ' || tbl;
    EXECUTE 'CREATE POLICY syncstatus_everyone ON ' || tbl
         || ' AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true)';
    EXECUTE 'DROP POLICY IF EXISTS syncstatus_reader_scope ON ' || tbl;
    -- The scope as a sub-select: computed once per statement (an InitPlan, still usable as an index condition),
    -- not parsed again for every row the policy filters.
    EXECUTE format('CREATE POLICY syncstatus_reader_scope ON %s AS RESTRICTIVE FOR ALL TO %I'
                   ' USING (%I = ANY (CAST((SELECT syncstatus_center_scope()) AS bigint[])))'
                   ' WITH CHECK (%I = ANY (CAST((SELECT syncstatus_center_scope()) AS bigint[])))',
                   tbl, p_role, p_scope_column, p_scope_column);
END
$fn$
