-- Items report: items mapped to the accounting platform, their mapped account, and how many sale order lines
-- reference each (all dates). Deleted / inactive in the platform is flagged by the report.
SELECT i.center_id,
       i.code,
       i.name,
       i.item_type,
       i.mapped_item_type,
       i.platform_item,
       i.account_code,
       a.name AS account_name,
       a.active AS account_active,
       a.deleted_in_platform_at AS account_deleted_at,
       i.status,
       i.category,
       i.message,
       i.raw_response,
       i.deleted_in_platform_at,
       COALESCE(u.lines, 0) AS lines
FROM item i
LEFT JOIN account a ON a.center_id = i.center_id AND a.code = i.account_code
LEFT JOIN (
    SELECT center_id, item_code, COUNT(*) AS lines
    FROM sale_order_line
    WHERE center_id IN :center_ids
    GROUP BY center_id, item_code
) u ON u.center_id = i.center_id AND u.item_code = i.code
WHERE i.center_id IN :center_ids
ORDER BY i.center_id, i.code
