-- PostgreSQL only (migrations 2 and 7): create this database's reader role when missing, NOLOGIN and NOINHERIT,
-- and make the migrating login role its one member, so that the login role may SET ROLE to it (from PostgreSQL 16
-- on, a membership that does not inherit its rights either). The name comes from db.reader_role_name: derived from
-- the database's, so no other deployment on the server shares it. Roles belong to the whole server: a concurrent
-- migration of the same database may create it at the same moment, hence the exception handler.
CREATE OR REPLACE FUNCTION syncstatus_reader_setup(p_role text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', p_role);
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'the login role % may not create this database''s reader role %', current_user, p_role
                    USING HINT = format('Give it CREATEROLE, or have an administrator run: CREATE ROLE %I NOLOGIN '
                                        'NOINHERIT; GRANT %I TO %I;', p_role, p_role, current_user);
        END;
    END IF;
    IF CAST(current_setting('server_version_num') AS integer) >= 160000 THEN
        -- Also when a membership exists already: PostgreSQL 16 gives the creating role one without SET.
        EXECUTE format('GRANT %I TO %I WITH INHERIT FALSE, SET TRUE', p_role, current_user);
    ELSIF NOT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                      WHERE g.rolname = p_role AND m.member = CAST(current_user AS regrole)) THEN
        EXECUTE format('GRANT %I TO %I', p_role, current_user);
    END IF;
END
$fn$
