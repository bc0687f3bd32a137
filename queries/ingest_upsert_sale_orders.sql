-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sale_orders: insert new rows, update changed ones (keyed on center_id, invoice_no); identical rows are not written.
INSERT INTO sale_order (center_id, invoice_no, guest, sale_date, amount, summary_invoice_no)
SELECT center_id, invoice_no, guest, sale_date, amount, summary_invoice_no
FROM stage_sale_orders
WHERE true
ON CONFLICT (center_id, invoice_no) DO UPDATE SET
    guest = excluded.guest,
    sale_date = excluded.sale_date,
    amount = excluded.amount,
    summary_invoice_no = excluded.summary_invoice_no
WHERE sale_order.guest IS DISTINCT FROM excluded.guest
   OR sale_order.sale_date IS DISTINCT FROM excluded.sale_date
   OR sale_order.amount IS DISTINCT FROM excluded.amount
   OR sale_order.summary_invoice_no IS DISTINCT FROM excluded.summary_invoice_no
