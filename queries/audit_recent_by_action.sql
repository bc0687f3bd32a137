-- The newest audit events of one action, for the administrators' Audit Log page.
SELECT at, username, action, detail
FROM audit_event
WHERE action = :action
ORDER BY at DESC, id DESC
LIMIT :limit
