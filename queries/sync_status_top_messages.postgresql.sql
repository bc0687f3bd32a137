-- PostgreSQL: the center list bound as one array (see syncstatus/sql.py).
-- Sync Status report, Response message: per center, the platform's own most frequent failure message over the
-- range's failed invoices, summary invoices and misc. journals (ties: the alphabetically first; both invoice
-- kinds are read whichever one the center's sync configuration counts, so a message is never missed). Called only for
-- the centers the rollups show with failures in the range; reads sync_document through ix_sync_document_report
-- (center_id, sync_date, kind, status).
SELECT center_id, message, documents
FROM (
    SELECT center_id,
           message,
           documents,
           ROW_NUMBER() OVER (PARTITION BY center_id ORDER BY documents DESC, message) AS rn
    FROM (
        SELECT d.center_id, d.message, COUNT(*) AS documents
        FROM sync_document d
        WHERE d.center_id = ANY(CAST(:center_ids AS bigint[]))
          AND d.sync_date >= :date_from
          AND d.sync_date <= :date_to
          AND d.kind IN ('invoice', 'summary_invoice', 'misc_journal')
          AND d.status = 'failed'
          AND d.message IS NOT NULL
          AND d.message <> ''
        GROUP BY d.center_id, d.message
    ) m
) t
WHERE rn = 1
