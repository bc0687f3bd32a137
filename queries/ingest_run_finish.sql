-- The outcome of an import run, with its row counts.
UPDATE import_run
SET status = :status,
    finished_at = :finished_at,
    rows_read = :rows_read,
    rows_loaded = :rows_loaded,
    rows_updated = :rows_updated,
    rows_unchanged = :rows_unchanged,
    rows_rejected = :rows_rejected,
    error = :error
WHERE id = :run_id
