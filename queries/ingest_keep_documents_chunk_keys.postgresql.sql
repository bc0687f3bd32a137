-- Import of documents on PostgreSQL: a chunk whose documents were all inserted leaves only their keys and places,
-- to name the first line of a later row that repeats one of them.
INSERT INTO stage_documents_keys (center_id, kind, document_no, src)
SELECT center_id, kind, document_no, src
FROM stage_documents_chunk
