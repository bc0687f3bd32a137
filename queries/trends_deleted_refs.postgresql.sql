-- Trends deleted references (PostgreSQL): the same rows as trends_deleted_refs.sql, with the centers bound as one
-- array (a 1,000-center statement as cheap to parse and plan as a one-center one) and each end of the range read
-- by one backward index probe on blocked_reference_day's key: the running totals at or before date_to minus
-- those before date_from.
WITH gone AS (
    SELECT center_id, 'account' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at,
           CASE WHEN active THEN 1 ELSE 0 END AS active
    FROM account
    WHERE center_id = ANY(:center_ids)
      AND (deleted_in_platform_at IS NOT NULL OR active = FALSE)
    UNION ALL
    SELECT center_id, 'item' AS ref_kind, code, name, deleted_in_platform_at AS deleted_at, 1 AS active
    FROM item
    WHERE center_id = ANY(:center_ids)
      AND deleted_in_platform_at IS NOT NULL
)
SELECT g.center_id, g.ref_kind, g.code, g.name, g.deleted_at, g.active,
       COALESCE(hi.run_failed_documents, 0) - COALESCE(lo.run_failed_documents, 0) AS failed_documents,
       COALESCE(hi.run_pending_documents, 0) - COALESCE(lo.run_pending_documents, 0) AS pending_documents
FROM gone g
LEFT JOIN LATERAL (
    SELECT b.run_failed_documents, b.run_pending_documents
    FROM blocked_reference_day b
    WHERE b.center_id = g.center_id AND b.ref_kind = g.ref_kind AND b.code = g.code AND b.sync_date <= :date_to
    ORDER BY b.sync_date DESC
    LIMIT 1
) hi ON TRUE
LEFT JOIN LATERAL (
    SELECT b.run_failed_documents, b.run_pending_documents
    FROM blocked_reference_day b
    WHERE b.center_id = g.center_id AND b.ref_kind = g.ref_kind AND b.code = g.code AND b.sync_date < :date_from
    ORDER BY b.sync_date DESC
    LIMIT 1
) lo ON TRUE
