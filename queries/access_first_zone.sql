-- The first zone (by id), for the demo zone-level account.
SELECT code, name FROM zone ORDER BY id LIMIT 1
