-- Unusual backups: each run keeps the server's per-table live row counts as its statistics had
-- them when the run started (JSON: [["schema.table", rows], …]), and why the finished backup
-- looks unusual against the connection's recent ones (JSON: ["reason", …]; NULL: it does not).

ALTER TABLE backup ADD COLUMN table_rows TEXT;
ALTER TABLE backup ADD COLUMN unusual TEXT;
