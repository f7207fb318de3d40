-- What the scheduler keeps about each schedule's runs: the last backup it started and how that
-- ended (the error kept in pg_dump's words), and the runs that did not happen and why.

ALTER TABLE schedule ADD COLUMN last_backup_id INTEGER REFERENCES backup(id) ON DELETE SET NULL;
ALTER TABLE schedule ADD COLUMN last_status TEXT;
ALTER TABLE schedule ADD COLUMN last_error TEXT;
CREATE INDEX schedule_next_run ON schedule(is_active, next_run_at);
-- `dbm schedule show NAME` finds a schedule by its name: names are unique.
CREATE UNIQUE INDEX schedule_name ON schedule(name);

-- Runs that were due but did not start: missed while the app was closed or asleep beyond the
-- grace window, or skipped because the connection was already being backed up. One row covers
-- a stretch of consecutive due times (a 10-second schedule closed for a week is one row).
CREATE TABLE missed_run (
    id            INTEGER PRIMARY KEY,
    schedule_id   INTEGER NOT NULL REFERENCES schedule(id) ON DELETE CASCADE,
    reason        TEXT    NOT NULL CHECK (reason IN ('missed', 'busy')),
    first_due_at  TEXT    NOT NULL,
    last_due_at   TEXT    NOT NULL,
    count         INTEGER NOT NULL CHECK (count >= 1),
    detail        TEXT,
    recorded_at   TEXT    NOT NULL
);
CREATE INDEX missed_run_schedule ON missed_run(schedule_id, recorded_at DESC);
