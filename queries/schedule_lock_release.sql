-- SQLite: nothing to release.
SELECT 1 AS released
