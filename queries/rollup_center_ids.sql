-- no-center-scope: a full rollup rebuild (refresh_all) covers every center
-- Every center id, for a full rollup rebuild (refresh_all): it rebuilds them all.
SELECT id FROM center ORDER BY id
