-- The first schema: saved connections, schedules, backup runs and settings.
-- Times are UTC, stored as RFC 3339 text. Passwords are never stored here: they live in the OS keyring.

CREATE TABLE connection (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    host            TEXT    NOT NULL,
    port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    database        TEXT    NOT NULL,
    username        TEXT    NOT NULL,
    sslmode         TEXT    NOT NULL DEFAULT 'prefer',
    server_version  TEXT,
    major_version   INTEGER,
    is_active       INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

CREATE TABLE schedule (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    connection_id   INTEGER NOT NULL REFERENCES connection(id) ON DELETE CASCADE,
    cron            TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    is_active       INTEGER NOT NULL DEFAULT 1,
    format          TEXT    NOT NULL DEFAULT 'custom',
    compression     TEXT,
    keep_last       INTEGER,
    keep_days       INTEGER,
    last_run_at     TEXT,
    next_run_at     TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX schedule_connection ON schedule(connection_id);

CREATE TABLE backup (
    id              INTEGER PRIMARY KEY,
    connection_id   INTEGER NOT NULL REFERENCES connection(id) ON DELETE CASCADE,
    schedule_id     INTEGER REFERENCES schedule(id) ON DELETE SET NULL,
    trigger         TEXT    NOT NULL CHECK (trigger IN ('schedule', 'manual', 'tray', 'catch-up')),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
    file_path       TEXT,
    size_bytes      INTEGER,
    sha256          TEXT,
    format          TEXT    NOT NULL,
    compression     TEXT,
    runner          TEXT,
    runner_detail   TEXT,
    pg_dump_version TEXT,
    server_version  TEXT,
    started_at      TEXT    NOT NULL,
    completed_at    TEXT,
    error_message   TEXT,
    log             TEXT,
    verified_at     TEXT,
    verify_result   TEXT
);
CREATE INDEX backup_started ON backup(started_at DESC, id DESC);
CREATE INDEX backup_connection_started ON backup(connection_id, started_at DESC);
CREATE INDEX backup_status ON backup(status);

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
