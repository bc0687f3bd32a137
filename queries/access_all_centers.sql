-- Every center id: only for an organization admin's scope (no :center_ids, it defines them).
SELECT id FROM center ORDER BY id
