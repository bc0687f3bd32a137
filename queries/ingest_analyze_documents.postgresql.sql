-- no-center-scope: statistics of the whole ledger, refreshed by the import that changed much of it
-- After an import that wrote many documents, fresh planner statistics for the ledger, taken inside the import's
-- transaction (ANALYZE counts the transaction's own new rows): the rollup refresh that follows groups those rows,
-- and with the statistics of the ledger before the import (say, empty) it would sort millions of rows on disk.
ANALYZE sync_document
