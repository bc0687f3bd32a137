-- PostgreSQL only: back to the login role for the rest of the transaction (SET LOCAL ROLE NONE).
SELECT set_config('role', 'none', true)
