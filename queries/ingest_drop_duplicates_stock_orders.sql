-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of stock_orders: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_stock_orders.sql), before they are classified and written.
DELETE FROM stage_stock_orders
WHERE EXISTS (SELECT 1 FROM stage_stock_orders e
              WHERE e.center_id = stage_stock_orders.center_id
                AND e.kind = stage_stock_orders.kind
                AND e.order_no = stage_stock_orders.order_no
                AND e.src < stage_stock_orders.src)
