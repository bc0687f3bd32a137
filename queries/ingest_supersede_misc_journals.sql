-- no-center-scope: import of a bundle (staging), every center the bundle names
-- Import of misc_journals: among staged rows with the same natural key the later line of the bundle wins (as a later
-- import replaces an earlier one); the rows it supersedes are dropped before the rest is classified and written.
DELETE FROM stage_misc_journals
WHERE EXISTS (SELECT 1 FROM stage_misc_journals e
              WHERE e.src > stage_misc_journals.src
                AND e.center_id = stage_misc_journals.center_id
                AND e.journal_no = stage_misc_journals.journal_no)
