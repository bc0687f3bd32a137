-- One application setting (for example 'demo').
SELECT value FROM app_setting WHERE key = :key
