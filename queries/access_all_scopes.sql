-- no-center-scope: every account's zones and centers as codes, for the administrators' user list.
SELECT s.user_id, 'zone' AS kind, z.code
FROM user_scope s
JOIN zone z ON z.id = s.zone_id
UNION ALL
SELECT s.user_id, 'center' AS kind, c.code
FROM user_scope s
JOIN center c ON c.id = s.center_id
ORDER BY 1, 2, 3
