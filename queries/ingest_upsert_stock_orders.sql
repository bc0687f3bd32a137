-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of stock_orders: insert new rows, update changed ones (keyed on center_id, kind, order_no); identical rows are not written.
INSERT INTO stock_order (center_id, kind, order_no, order_date, amount, deleted_at)
SELECT center_id, kind, order_no, order_date, amount, deleted_at
FROM stage_stock_orders
WHERE true
ON CONFLICT (center_id, kind, order_no) DO UPDATE SET
    order_date = excluded.order_date,
    amount = excluded.amount,
    deleted_at = excluded.deleted_at
WHERE stock_order.order_date IS DISTINCT FROM excluded.order_date
   OR stock_order.amount IS DISTINCT FROM excluded.amount
   OR stock_order.deleted_at IS DISTINCT FROM excluded.deleted_at
