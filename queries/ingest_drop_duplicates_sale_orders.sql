-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sale_orders: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_sale_orders.sql), before they are classified and written.
DELETE FROM stage_sale_orders
WHERE EXISTS (SELECT 1 FROM stage_sale_orders e
              WHERE e.center_id = stage_sale_orders.center_id
                AND e.invoice_no = stage_sale_orders.invoice_no
                AND e.src < stage_sale_orders.src)
