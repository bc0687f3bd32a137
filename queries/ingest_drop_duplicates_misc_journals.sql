-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of misc_journals: drop the staged rows that repeat the natural key of an earlier row (rejected as duplicates,
-- see ingest_duplicates_misc_journals.sql), before they are classified and written.
DELETE FROM stage_misc_journals
WHERE EXISTS (SELECT 1 FROM stage_misc_journals e
              WHERE e.center_id = stage_misc_journals.center_id
                AND e.journal_no = stage_misc_journals.journal_no
                AND e.src < stage_misc_journals.src)
