-- Knowing that backups happen: a schedule may say after how long without a good backup its
-- connection is overdue (NULL: twice its interval), and the app remembers when it last told
-- the user a connection is overdue, so the notification repeats at most daily, across restarts.

ALTER TABLE schedule ADD COLUMN alert_after_seconds INTEGER CHECK (alert_after_seconds IS NULL OR alert_after_seconds > 0);

CREATE TABLE overdue_notice (
    connection_id INTEGER PRIMARY KEY REFERENCES connection(id) ON DELETE CASCADE,
    notified_at   TEXT    NOT NULL
);
