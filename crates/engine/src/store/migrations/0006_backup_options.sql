-- What each backup was asked to contain (the dump options as JSON: format, compression,
-- schema only / data only, schema and table patterns), so that verifying it checks what the
-- dump holds and not the whole source database. NULL for backups made before this column.
ALTER TABLE backup ADD COLUMN options TEXT;
