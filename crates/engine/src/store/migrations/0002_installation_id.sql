-- A random id for this data dir: keyring entries are named with it, so two data dirs (the app's
-- and a test's, or two profiles) never read or overwrite each other's passwords.
INSERT OR IGNORE INTO setting (key, value) VALUES ('installation_id', lower(hex(randomblob(16))));
