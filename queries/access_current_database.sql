-- PostgreSQL only: the database this connection is in, whose name the reader role's is derived from.
SELECT current_database()
