-- Zone ids for codes given by an administrator (matched without regard to case).
SELECT id, code
FROM zone
WHERE LOWER(code) IN :codes
