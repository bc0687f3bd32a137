-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sale_order_lines: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_sale_order_lines.sql), before they are classified and written.
DELETE FROM stage_sale_order_lines
WHERE EXISTS (SELECT 1 FROM stage_sale_order_lines e
              WHERE e.center_id = stage_sale_order_lines.center_id
                AND e.invoice_no = stage_sale_order_lines.invoice_no
                AND e.line_no = stage_sale_order_lines.line_no
                AND e.src < stage_sale_order_lines.src)
