-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of payments: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_payments.sql), before they are classified and written.
DELETE FROM stage_payments
WHERE EXISTS (SELECT 1 FROM stage_payments e
              WHERE e.center_id = stage_payments.center_id
                AND e.payment_no = stage_payments.payment_no
                AND e.src < stage_payments.src)
