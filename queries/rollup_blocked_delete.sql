-- Blocked references rollup refresh (rollup_blocked.refresh), step 1: forget these centers' rows; step 2 recounts
-- them whole (a reference deleted or restored by an import changes every date).
DELETE FROM blocked_reference_day
WHERE center_id IN :center_ids
