-- Per schedule: proof (verify by restore every N seconds; NULL: never), run limits (stall limit
-- and hard time limit; NULL: the setting, and none), and hooks called after each run. Each
-- proof is a row of its own, so "once a day" and "never beside a backup" can be checked later,
-- and what a backup's hooks answered is kept on the backup (JSON list; NULL: it had none).

ALTER TABLE schedule ADD COLUMN verify_every_seconds INTEGER CHECK (verify_every_seconds IS NULL OR verify_every_seconds > 0);
ALTER TABLE schedule ADD COLUMN stall_after_seconds  INTEGER CHECK (stall_after_seconds IS NULL OR stall_after_seconds > 0);
ALTER TABLE schedule ADD COLUMN time_limit_seconds   INTEGER CHECK (time_limit_seconds IS NULL OR time_limit_seconds > 0);
ALTER TABLE schedule ADD COLUMN ping_url             TEXT;
ALTER TABLE schedule ADD COLUMN on_success_url       TEXT;
ALTER TABLE schedule ADD COLUMN on_failure_url       TEXT;
ALTER TABLE schedule ADD COLUMN on_finish_cmd        TEXT;
ALTER TABLE schedule ADD COLUMN hook_timeout_seconds INTEGER CHECK (hook_timeout_seconds IS NULL OR hook_timeout_seconds > 0);

CREATE TABLE proof (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedule(id) ON DELETE CASCADE,
    backup_id   INTEGER REFERENCES backup(id) ON DELETE SET NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    ok          INTEGER,
    error       TEXT
);
CREATE INDEX proof_by_schedule ON proof(schedule_id, started_at);

ALTER TABLE backup ADD COLUMN hooks TEXT;
