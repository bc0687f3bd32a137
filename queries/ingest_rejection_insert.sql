-- One rejected row (or file) of an import run.
INSERT INTO import_rejection (import_run_id, file_name, line_no, column_name, reason, raw_row)
VALUES (:run_id, :file_name, :line_no, :column_name, :reason, :raw_row)
