-- no-center-scope: the names of an account's zones and centers, for its scope label (it defines the viewer's center ids).
SELECT 'zone' AS kind, z.code, z.name
FROM user_scope s
JOIN zone z ON z.id = s.zone_id
WHERE s.user_id = :user_id
UNION ALL
SELECT 'center' AS kind, c.code, c.name
FROM user_scope s
JOIN center c ON c.id = s.center_id
WHERE s.user_id = :user_id
ORDER BY 1, 3
