-- no-center-scope: code -> id lookup of every center while importing a bundle
-- Center code -> id and platform, to resolve center_code references and parse responses while importing.
SELECT code, id, platform FROM center
