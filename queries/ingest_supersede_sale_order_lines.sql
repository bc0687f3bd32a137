-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of sale_order_lines: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_sale_order_lines
WHERE EXISTS (SELECT 1 FROM stage_sale_order_lines e
              WHERE e.src > stage_sale_order_lines.src
                AND e.center_id = stage_sale_order_lines.center_id
                AND e.invoice_no = stage_sale_order_lines.invoice_no
                AND e.line_no = stage_sale_order_lines.line_no)
