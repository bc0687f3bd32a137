-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of sale_order_lines: insert new rows, update changed ones (keyed on center_id, invoice_no, line_no); identical rows are not written.
INSERT INTO sale_order_line (center_id, invoice_no, line_no, item_code, account_code, qty, amount)
SELECT center_id, invoice_no, line_no, item_code, account_code, qty, amount
FROM stage_sale_order_lines
WHERE true
ON CONFLICT (center_id, invoice_no, line_no) DO UPDATE SET
    item_code = excluded.item_code,
    account_code = excluded.account_code,
    qty = excluded.qty,
    amount = excluded.amount
WHERE sale_order_line.item_code IS DISTINCT FROM excluded.item_code
   OR sale_order_line.account_code IS DISTINCT FROM excluded.account_code
   OR sale_order_line.qty IS DISTINCT FROM excluded.qty
   OR sale_order_line.amount IS DISTINCT FROM excluded.amount
