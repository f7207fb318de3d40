-- Removing a connection keeps its backup history: the row stays, marked removed (its password
-- leaves the keyring, its schedules go), so its backups stay listed under its name, verifiable,
-- copyable and restorable elsewhere. A name is unique among connections that are not removed.
-- SQLite cannot change a constraint in place: the table is rebuilt (foreign keys are off while
-- migrations run, so dropping the old table cascades to nothing).

CREATE TABLE connection_new (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    host            TEXT    NOT NULL,
    port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    database        TEXT    NOT NULL,
    username        TEXT    NOT NULL,
    sslmode         TEXT    NOT NULL DEFAULT 'prefer',
    server_version  TEXT,
    major_version   INTEGER,
    is_active       INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    removed_at      TEXT
);
INSERT INTO connection_new (id, name, host, port, database, username, sslmode, server_version,
                            major_version, is_active, created_at, updated_at)
    SELECT id, name, host, port, database, username, sslmode, server_version, major_version,
           is_active, created_at, updated_at
    FROM connection;
DROP TABLE connection;
ALTER TABLE connection_new RENAME TO connection;
CREATE UNIQUE INDEX connection_name_live ON connection(name) WHERE removed_at IS NULL;
