-- PostgreSQL only: this transaction's centers for row-level security ('' = none), read by syncstatus_center_scope().
SELECT set_config('syncstatus.center_ids', :csv, true)
