-- PostgreSQL only: a page session (db.create_db_engine(for_pages=True)) runs as the database's reader role, with a
-- statement timeout in milliseconds ('0' = none), for the whole session (set_config's false). The login role must
-- be a member of the reader role (migration 7 makes the migrating login role one).
SELECT set_config('role', :role, false), set_config('statement_timeout', :timeout_ms, false)
