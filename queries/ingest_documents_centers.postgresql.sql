-- no-center-scope: import of a bundle (staging -> table), every center with documents
-- Import of documents on PostgreSQL: the centers that have documents stored before the import (one index probe per
-- center); a chunk's documents of any other center, not seen in an earlier chunk, are new without asking.
SELECT c.id AS center_id
FROM center c
WHERE EXISTS (SELECT 1 FROM sync_document d WHERE d.center_id = c.id)
