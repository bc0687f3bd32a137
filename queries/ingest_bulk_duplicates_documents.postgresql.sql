-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents on PostgreSQL, a bulk load whose unique key would not build: the rows that repeat the
-- natural key of an earlier row of the bundle, each with the place of that first row (src = file index * 2^32 +
-- line number). Every inserted row left its key and place in stage_documents_keys. Rejected as duplicates; the
-- first row is the one kept.
SELECT k.src, d.first_src, k.center_id, k.kind, k.document_no
FROM stage_documents_keys k
JOIN (SELECT center_id, kind, document_no, MIN(src) AS first_src
      FROM stage_documents_keys
      GROUP BY center_id, kind, document_no
      HAVING COUNT(*) > 1) d
  ON d.center_id = k.center_id
 AND d.kind = k.kind
 AND d.document_no = k.document_no
WHERE k.src > d.first_src
ORDER BY k.src
