-- no-center-scope: import of a bundle (bulk load of an empty ledger), every center with documents
-- After a bulk load of the ledger (ingest._bulk_ledger_dates): each center's first and last sync date, the dates its
-- rollups count. Two backward/forward probes of ix_sync_document_report per center, not a scan of the rows.
SELECT c.id AS center_id, lo.sync_date AS first_date, hi.sync_date AS last_date
FROM center c
CROSS JOIN LATERAL (SELECT d.sync_date FROM sync_document d WHERE d.center_id = c.id
                    ORDER BY d.sync_date LIMIT 1) lo
CROSS JOIN LATERAL (SELECT d.sync_date FROM sync_document d WHERE d.center_id = c.id
                    ORDER BY d.sync_date DESC LIMIT 1) hi
