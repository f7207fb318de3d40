-- The backup library: filters that page fast over many runs, and what a scan found on disk.

-- 'missing' or 'modified' when a scan found the file gone or changed outside the app; NULL while
-- the file is as recorded (or was never checked).
ALTER TABLE backup ADD COLUMN file_state TEXT CHECK (file_state IN ('missing', 'modified'));
CREATE INDEX backup_schedule_started ON backup(schedule_id, started_at DESC, id DESC);
CREATE INDEX backup_status_started ON backup(status, started_at DESC, id DESC);
