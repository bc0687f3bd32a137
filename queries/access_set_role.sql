-- PostgreSQL only: SET LOCAL ROLE with the role as a bound value (the login role must be a member of it).
SELECT set_config('role', :role, true)
