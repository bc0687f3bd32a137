-- SQLite: its planner does without fresh statistics (ANALYZE would read every table whole at each import).
SELECT 1
