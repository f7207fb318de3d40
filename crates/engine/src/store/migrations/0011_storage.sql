-- Storage locations and copies. A location's settings are JSON without secrets (those are in
-- the keyring). A copy is one backup in one location: its state, the key of its manifest, and
-- what was stored. A backup whose local file the app removed while copies remain keeps its
-- record (`local_removed_at`), so it can still be restored from a location.

CREATE TABLE location (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL CHECK (kind IN ('folder', 's3', 'sftp')),
    settings    TEXT    NOT NULL,
    keep_last   INTEGER,
    keep_days   INTEGER,
    created_at  TEXT    NOT NULL
);

CREATE TABLE copy (
    id            INTEGER PRIMARY KEY,
    backup_id     INTEGER NOT NULL REFERENCES backup(id) ON DELETE CASCADE,
    location_id   INTEGER NOT NULL REFERENCES location(id) ON DELETE CASCADE,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'copying', 'copied', 'failed', 'missing', 'altered')),
    manifest_key  TEXT,
    encrypted     INTEGER NOT NULL DEFAULT 0,
    recipients    TEXT,
    size_bytes    INTEGER,
    bytes_done    INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error_message TEXT,
    started_at    TEXT,
    finished_at   TEXT,
    verified_at   TEXT,
    imported      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (backup_id, location_id)
);
CREATE INDEX copy_by_location ON copy(location_id, state);

ALTER TABLE backup ADD COLUMN local_removed_at TEXT;

ALTER TABLE schedule ADD COLUMN copy_to    TEXT;
ALTER TABLE schedule ADD COLUMN encrypt    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE schedule ADD COLUMN keep_local INTEGER NOT NULL DEFAULT 1;
