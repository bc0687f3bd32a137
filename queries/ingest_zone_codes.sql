-- Zone code -> id, to resolve zone_code references while importing centers.
SELECT code, id FROM zone
