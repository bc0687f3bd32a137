-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of payments: insert new rows, update changed ones (keyed on center_id, payment_no); identical rows are not written.
INSERT INTO payment (center_id, payment_no, invoice_no, payment_type, account_code, amount, paid_on)
SELECT center_id, payment_no, invoice_no, payment_type, account_code, amount, paid_on
FROM stage_payments
WHERE true
ON CONFLICT (center_id, payment_no) DO UPDATE SET
    invoice_no = excluded.invoice_no,
    payment_type = excluded.payment_type,
    account_code = excluded.account_code,
    amount = excluded.amount,
    paid_on = excluded.paid_on
WHERE payment.invoice_no IS DISTINCT FROM excluded.invoice_no
   OR payment.payment_type IS DISTINCT FROM excluded.payment_type
   OR payment.account_code IS DISTINCT FROM excluded.account_code
   OR payment.amount IS DISTINCT FROM excluded.amount
   OR payment.paid_on IS DISTINCT FROM excluded.paid_on
