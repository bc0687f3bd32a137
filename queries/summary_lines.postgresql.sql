-- PostgreSQL: the viewer's centers bound as one array (see syncstatus/sql.py).
-- Sale Order Summary Details: the lines of the given sale orders with their item and mapped account
-- (the line's account, else the item's), and whether either was deleted or made inactive in the platform.
SELECT l.invoice_no,
       l.line_no,
       l.item_code,
       i.name AS item_name,
       i.item_type,
       i.mapped_item_type,
       i.platform_item,
       i.deleted_in_platform_at AS item_deleted_at,
       COALESCE(l.account_code, i.account_code) AS account_code,
       a.name AS account_name,
       a.active AS account_active,
       a.deleted_in_platform_at AS account_deleted_at,
       l.qty,
       l.amount
FROM sale_order_line l
LEFT JOIN item i ON i.center_id = l.center_id AND i.code = l.item_code
LEFT JOIN account a ON a.center_id = l.center_id AND a.code = COALESCE(l.account_code, i.account_code)
WHERE l.center_id = ANY(:center_ids)
  AND l.center_id = :center_id
  AND l.invoice_no = ANY(:invoice_nos)
ORDER BY l.invoice_no, l.line_no
