-- Chart of Accounts report: the platform's accounts per center, with how many documents reference each
-- (sale order lines through their mapped account, payments, misc journals as debit or credit) and how many
-- item mappings point at it (all dates).
SELECT a.center_id,
       a.code,
       a.name,
       a.type,
       a.active,
       a.last_read_at,
       a.deleted_in_platform_at,
       COALESCE(ln.n, 0) AS lines,
       COALESCE(pm.n, 0) AS payments,
       COALESCE(mj.n, 0) AS misc_journals,
       COALESCE(im.n, 0) AS item_mappings
FROM account a
LEFT JOIN (
    SELECT l.center_id, COALESCE(l.account_code, i.account_code) AS code, COUNT(*) AS n
    FROM sale_order_line l
    LEFT JOIN item i ON i.center_id = l.center_id AND i.code = l.item_code
    WHERE l.center_id IN :center_ids
    GROUP BY l.center_id, COALESCE(l.account_code, i.account_code)
) ln ON ln.center_id = a.center_id AND ln.code = a.code
LEFT JOIN (
    SELECT center_id, account_code AS code, COUNT(*) AS n
    FROM payment
    WHERE center_id IN :center_ids
    GROUP BY center_id, account_code
) pm ON pm.center_id = a.center_id AND pm.code = a.code
LEFT JOIN (
    SELECT center_id, code, COUNT(*) AS n
    FROM (
        SELECT center_id, debit_account_code AS code FROM misc_journal WHERE center_id IN :center_ids
        UNION ALL
        SELECT center_id, credit_account_code AS code FROM misc_journal WHERE center_id IN :center_ids
    ) j
    GROUP BY center_id, code
) mj ON mj.center_id = a.center_id AND mj.code = a.code
LEFT JOIN (
    SELECT center_id, account_code AS code, COUNT(*) AS n
    FROM item
    WHERE center_id IN :center_ids
    GROUP BY center_id, account_code
) im ON im.center_id = a.center_id AND im.code = a.code
WHERE a.center_id IN :center_ids
ORDER BY a.center_id, a.code
