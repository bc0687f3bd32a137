-- no-center-scope: the first center (by id), for the demo center-level account; runs before any viewer exists.
SELECT code, name FROM center ORDER BY id LIMIT 1
