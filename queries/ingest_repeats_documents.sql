-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents: how many staged rows another row of the bundle with the same natural key (center_code, kind, document_no)
-- supersedes (docs/DATA_FORMAT.md, repeated keys): per repeated key, all its rows but one.
SELECT COALESCE(SUM(n - 1), 0) AS superseded
FROM (SELECT COUNT(*) AS n FROM stage_documents GROUP BY center_id, kind, document_no HAVING COUNT(*) > 1) r
