-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of documents on PostgreSQL: the staged rows that repeat the natural key (center_code, kind, document_no)
-- of an earlier row of the bundle, in bundle order, each with the place of that first row (src = file index * 2^32
-- + line number). The earlier row may be one already inserted chunk by chunk, of which only the key and place are
-- left (stage_documents_keys); a repeat is always among the rows left for the end (stage_documents), because its
-- key was stored by then. Rejected as duplicates; the first row is the one kept.
SELECT s.src, d.first_src, s.center_id, s.kind, s.document_no
FROM stage_documents s
JOIN (SELECT a.center_id, a.kind, a.document_no, MIN(a.src) AS first_src
      FROM (SELECT center_id, kind, document_no, src FROM stage_documents
            UNION ALL
            SELECT center_id, kind, document_no, src FROM stage_documents_keys) a
      GROUP BY a.center_id, a.kind, a.document_no
      HAVING COUNT(*) > 1) d
  ON d.center_id = s.center_id
 AND d.kind = s.kind
 AND d.document_no = s.document_no
WHERE s.src > d.first_src
ORDER BY s.src
