-- PostgreSQL only (migration 7): the reader role used to be one for the whole server, syncstatus_reader, with every
-- migrating login role a member: in this database it loses every right and policy, and the login role running this
-- migration stops being its member (where it may revoke that; either way the role can do nothing here any more).
-- Other databases on the server keep theirs until they are upgraded; the role itself is dropped by hand afterwards.
DO $do$
DECLARE
    r record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'syncstatus_reader') THEN
        RETURN;
    END IF;
    FOR r IN
        SELECT format('%I.%I', n.nspname, c.relname) AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND pg_has_role(current_user, c.relowner, 'USAGE')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    LOOP
        EXECUTE 'REVOKE ALL ON ' || r.name || ' FROM syncstatus_reader';
    END LOOP;
    FOR r IN
        SELECT format('DROP POLICY %I ON %I.%I', policyname, schemaname, tablename) AS drop_it
        FROM pg_policies WHERE 'syncstatus_reader' = ANY (roles)
    LOOP
        EXECUTE r.drop_it;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               WHERE g.rolname = 'syncstatus_reader' AND m.member = CAST(current_user AS regrole)) THEN
        BEGIN
            EXECUTE format('REVOKE syncstatus_reader FROM %I', current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END IF;
END
$do$
