-- PostgreSQL only (migrations 2 and 7): this database's reader role and the login role's membership in it.
SELECT syncstatus_reader_setup(:role)
