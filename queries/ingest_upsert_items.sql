-- no-center-scope: import of a bundle (staging -> table), every center the bundle names
-- Import of items: insert new rows, update changed ones (keyed on center_id, code); identical rows are not written.
INSERT INTO item (center_id, code, name, item_type, mapped_item_type, platform_item, account_code, status, raw_response, category, message, deleted_in_platform_at)
SELECT center_id, code, name, item_type, mapped_item_type, platform_item, account_code, status, raw_response, category, message, deleted_in_platform_at
FROM stage_items
WHERE true
ON CONFLICT (center_id, code) DO UPDATE SET
    name = excluded.name,
    item_type = excluded.item_type,
    mapped_item_type = excluded.mapped_item_type,
    platform_item = excluded.platform_item,
    account_code = excluded.account_code,
    status = excluded.status,
    raw_response = excluded.raw_response,
    category = excluded.category,
    message = excluded.message,
    deleted_in_platform_at = excluded.deleted_in_platform_at
WHERE item.name IS DISTINCT FROM excluded.name
   OR item.item_type IS DISTINCT FROM excluded.item_type
   OR item.mapped_item_type IS DISTINCT FROM excluded.mapped_item_type
   OR item.platform_item IS DISTINCT FROM excluded.platform_item
   OR item.account_code IS DISTINCT FROM excluded.account_code
   OR item.status IS DISTINCT FROM excluded.status
   OR item.raw_response IS DISTINCT FROM excluded.raw_response
   OR item.category IS DISTINCT FROM excluded.category
   OR item.message IS DISTINCT FROM excluded.message
   OR item.deleted_in_platform_at IS DISTINCT FROM excluded.deleted_in_platform_at
