-- no-center-scope: the centers an account may see, from its zones and centers (it defines the viewer's center ids).
SELECT c.id
FROM center c
JOIN user_scope s ON s.center_id = c.id
WHERE s.user_id = :user_id
UNION
SELECT c.id
FROM center c
JOIN user_scope s ON s.zone_id = c.zone_id
WHERE s.user_id = :user_id
ORDER BY 1
