-- Set an application setting, replacing its value.
INSERT INTO app_setting (key, value) VALUES (:key, :value)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
