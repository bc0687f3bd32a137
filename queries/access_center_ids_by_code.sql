-- no-center-scope: center ids for codes given by an administrator when granting a scope (it defines the viewer's center ids).
SELECT id, code
FROM center
WHERE LOWER(code) IN :codes
