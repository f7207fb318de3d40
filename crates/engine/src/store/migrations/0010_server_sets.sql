-- Whole servers: a connection may stand for every database of its server (then `database` is
-- the maintenance database it connects to first), with include/exclude glob patterns (JSON
-- lists). A backup of such a connection is a set (`kind` 'server'): a folder with one archive
-- per database, the globals and a manifest; its parts are rows of `backup_part`. A set some of
-- whose databases failed is `partial`, a status SQLite only accepts once the table is rebuilt
-- (foreign keys are off while migrations run, so dropping the old table cascades to nothing).

ALTER TABLE connection ADD COLUMN all_databases    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE connection ADD COLUMN include_patterns TEXT;
ALTER TABLE connection ADD COLUMN exclude_patterns TEXT;

CREATE TABLE backup_new (
    id              INTEGER PRIMARY KEY,
    connection_id   INTEGER NOT NULL REFERENCES connection(id) ON DELETE CASCADE,
    schedule_id     INTEGER REFERENCES schedule(id) ON DELETE SET NULL,
    trigger         TEXT    NOT NULL CHECK (trigger IN ('schedule', 'manual', 'tray', 'catch-up')),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'partial', 'failed', 'cancelled', 'interrupted')),
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
    verify_result   TEXT,
    file_state      TEXT CHECK (file_state IN ('missing', 'modified')),
    options         TEXT,
    table_rows      TEXT,
    unusual         TEXT,
    hooks           TEXT,
    kind            TEXT    NOT NULL DEFAULT 'database' CHECK (kind IN ('database', 'server'))
);
INSERT INTO backup_new (id, connection_id, schedule_id, trigger, status, file_path, size_bytes,
                        sha256, format, compression, runner, runner_detail, pg_dump_version,
                        server_version, started_at, completed_at, error_message, log,
                        verified_at, verify_result, file_state, options, table_rows, unusual,
                        hooks)
    SELECT id, connection_id, schedule_id, trigger, status, file_path, size_bytes, sha256,
           format, compression, runner, runner_detail, pg_dump_version, server_version,
           started_at, completed_at, error_message, log, verified_at, verify_result,
           file_state, options, table_rows, unusual, hooks
    FROM backup;
DROP TABLE backup;
ALTER TABLE backup_new RENAME TO backup;
CREATE INDEX backup_started ON backup(started_at DESC, id DESC);
CREATE INDEX backup_connection_started ON backup(connection_id, started_at DESC);
CREATE INDEX backup_status ON backup(status);
CREATE INDEX backup_schedule_started ON backup(schedule_id, started_at DESC, id DESC);
CREATE INDEX backup_status_started ON backup(status, started_at DESC, id DESC);

CREATE TABLE backup_part (
    id                  INTEGER PRIMARY KEY,
    backup_id           INTEGER NOT NULL REFERENCES backup(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('database', 'globals')),
    database            TEXT,
    status              TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    file_name           TEXT,
    size_bytes          INTEGER,
    sha256              TEXT,
    database_size_bytes INTEGER,
    role_passwords      INTEGER,
    error_message       TEXT,
    log                 TEXT,
    UNIQUE (backup_id, position)
);
