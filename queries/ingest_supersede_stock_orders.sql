-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of stock_orders: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_stock_orders
WHERE EXISTS (SELECT 1 FROM stage_stock_orders e
              WHERE e.src > stage_stock_orders.src
                AND e.center_id = stage_stock_orders.center_id
                AND e.kind = stage_stock_orders.kind
                AND e.order_no = stage_stock_orders.order_no)
