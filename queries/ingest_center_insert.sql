-- A center an import run touched, with the newest sync date it brought for that center.
INSERT INTO import_center (import_run_id, center_id, newest_sync_date)
VALUES (:run_id, :center_id, :newest_sync_date)
