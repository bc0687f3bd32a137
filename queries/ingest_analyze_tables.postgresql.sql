-- no-center-scope: planner statistics of every table an import writes, taken at its end for all centers
-- At the end of an import, in its transaction (ANALYZE counts the transaction's own rows): without statistics the
-- planner guesses, and a page's statement as the reader role, whose row-level security policy adds a condition to
-- every scan, could run for minutes instead of milliseconds. A table the importer's role does not own is skipped
-- with a warning, not an error. tests/db/test_rls.py checks that no table an import fills is left out.
ANALYZE zone, center, center_sync_config, sync_job, job_run, account, item, sale_order, sale_order_line, payment,
    misc_journal, stock_order, sync_document, sync_daily, sync_monthly, sync_center_day, sync_center_period,
    spike_baseline, blocked_reference_day, import_run, import_center, import_rejection
