-- PostgreSQL: the center list bound as one array (see syncstatus/sql.py).
-- The Sync Status report's Mode column: per center, the sync configurations in force on some date of [date_from, date_to]
-- (effective_to is exclusive, NULL for the configuration in force now), oldest first. Dates before a center's
-- first configuration count Invoice Wise (docs/REPORTS.md); syncstatus.reports.sync_status.describe_modes says so.
SELECT center_id, effective_from, sync_type
FROM center_sync_config
WHERE center_id = ANY(CAST(:center_ids AS bigint[]))
  AND effective_from <= :date_to
  AND (effective_to IS NULL OR effective_to > :date_from)
ORDER BY center_id, effective_from
