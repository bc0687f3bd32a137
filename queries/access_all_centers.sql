-- no-center-scope: every center id, only for an organization admin's scope (it defines the viewer's center ids).
SELECT id FROM center ORDER BY id
