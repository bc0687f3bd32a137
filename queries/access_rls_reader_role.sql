-- PostgreSQL only (migration 2): the NOLOGIN role that center-scoped statements switch to, and the login
-- role's membership in it so that it may SET ROLE. Roles belong to the whole server: another database's
-- migration may create it at the same moment, hence the exception handler.
DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'syncstatus_reader') THEN
        BEGIN
            CREATE ROLE syncstatus_reader NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT pg_has_role(current_user, 'syncstatus_reader', 'MEMBER') THEN
        EXECUTE 'GRANT syncstatus_reader TO ' || quote_ident(current_user);
    END IF;
END
$do$
