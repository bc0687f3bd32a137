-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of payments: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_payments
WHERE EXISTS (SELECT 1 FROM stage_payments e
              WHERE e.src > stage_payments.src
                AND e.center_id = stage_payments.center_id
                AND e.payment_no = stage_payments.payment_no)
