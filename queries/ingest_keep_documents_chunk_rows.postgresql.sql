-- Import of documents on PostgreSQL: a chunk with keys that were stored already is kept whole for the end of the
-- import (duplicates, then classify, insert and update); its rows inserted by the chunk match their stored twin
-- exactly, so they count as neither new nor changed there.
INSERT INTO stage_documents (center_id, kind, document_no, sync_date, amount, status, pending_reason, attempts,
                             last_attempt_at, external_ref, raw_response, response_code, category, message,
                             reference, src)
SELECT center_id, kind, document_no, sync_date, amount, status, pending_reason, attempts, last_attempt_at,
       external_ref, raw_response, response_code, category, message, reference, src
FROM stage_documents_chunk
