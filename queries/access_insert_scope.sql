-- One scope row of an account: a zone or a center (exactly one of the two is set).
INSERT INTO user_scope (user_id, zone_id, center_id)
VALUES (:user_id, :zone_id, :center_id)
