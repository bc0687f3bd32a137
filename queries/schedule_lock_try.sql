-- SQLite: one process writes at a time and occurrence keys are unique, so the runner needs no lock.
SELECT 1 AS locked
