-- The newest audit events, for the administrators' Audit Log page.
SELECT at, username, action, detail
FROM audit_event
ORDER BY at DESC, id DESC
LIMIT :limit
