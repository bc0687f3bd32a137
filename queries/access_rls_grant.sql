-- PostgreSQL only (migrations 2 and 7): the reader role's rights on one table and, with a scope column, its rows.
SELECT syncstatus_grant_reader(:role, :table_name, :scope_column, :readable)
