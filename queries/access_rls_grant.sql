-- PostgreSQL only (migration 2): grant the reader role one table and, with a scope column, guard its rows.
SELECT syncstatus_grant_reader(:table_name, :scope_column, :readable_columns)
