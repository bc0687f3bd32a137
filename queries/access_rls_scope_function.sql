-- PostgreSQL only (migration 2): the center ids of this transaction's scope, as set by access_set_scope;
-- unset or empty means no center at all.
CREATE OR REPLACE FUNCTION syncstatus_center_scope() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $fn$
    SELECT CAST(string_to_array(NULLIF(current_setting('syncstatus.center_ids', true), ''), ',') AS bigint[])
$fn$
