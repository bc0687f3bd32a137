-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of stock_orders: the staged rows that repeat the natural key (center_code, kind, order_no) of an earlier row
-- of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32 + line number).
-- They are rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.kind, s.order_no
FROM stage_stock_orders s
JOIN (SELECT center_id, kind, order_no, MIN(src) AS first_src
      FROM stage_stock_orders
      GROUP BY center_id, kind, order_no
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.kind = s.kind
 AND d.order_no = s.order_no
WHERE s.src > d.first_src
ORDER BY s.src
