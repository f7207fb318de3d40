//! The app's own state in SQLite: opened with WAL, migrated forward, never downgraded.

pub(crate) mod decode;
mod error;
mod migrations;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use error::StoreError;
pub use migrations::latest_version;

/// File name of the database inside the data dir.
pub const DATABASE_FILE: &str = "dbm.sqlite3";

/// How long a writer waits for another before giving up: two processes (app and `dbm`) share the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open, migrated database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    ///
    /// Refuses, without writing anything, a file that is not SQLite or that a newer version wrote.
    pub fn open_in(data_dir: &Path) -> Result<Store, StoreError> {
        // A full path: backup paths are recorded from it and handed to Docker as bind mounts.
        let data_dir = &std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
        create_private_dir(data_dir).map_err(|source| StoreError::DataDirUnusable {
            path: data_dir.to_path_buf(),
            source,
        })?;
        Store::open(&data_dir.join(DATABASE_FILE))
    }

    /// Opens the database file at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let path = &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::opening(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| StoreError::opening(path, e))?;

        // Read before any write: a damaged file or a newer schema must be left exactly as it was.
        let found = schema_version(&conn).map_err(|e| StoreError::opening(path, e))?;
        let supported = latest_version();
        if found > supported {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported,
            });
        }

        enable_wal(&conn).map_err(|e| StoreError::opening(path, e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| StoreError::opening(path, e))?;
        restrict_to_owner(path);

        let mut store = Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        };
        store.migrate(found)?;
        Ok(store)
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the file is at now.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(schema_version(&self.connection())?)
    }

    /// This data dir's random id, which namespaces its keyring entries.
    pub fn installation_id(&self) -> Result<String, StoreError> {
        Ok(self.connection().query_row(
            "SELECT value FROM setting WHERE key = 'installation_id'",
            [],
            |row| row.get(0),
        )?)
    }

    /// The connection, for the repositories. Poisoning is ignored: SQLite keeps its own consistency.
    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn migrate(&mut self, from: u32) -> Result<(), StoreError> {
        let conn = self.conn.get_mut().unwrap_or_else(|p| p.into_inner());
        // A migration that rebuilds a table drops the old one: with foreign keys on, that would
        // cascade into every row that refers to it. Off while migrating (it cannot change inside
        // a transaction), each step checked before it commits, on again after.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let migrated = Store::apply_migrations(conn, from);
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrated
    }

    fn apply_migrations(conn: &mut Connection, from: u32) -> Result<(), StoreError> {
        for migration in migrations::MIGRATIONS.iter().filter(|m| m.version > from) {
            // IMMEDIATE: a second process opening the same file at the same time waits, then
            // sees the new version and skips the step instead of applying it twice.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if schema_version(&tx)? >= migration.version {
                continue;
            }
            tx.execute_batch(migration.sql)?;
            let broken: Option<String> = tx
                .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
                .optional()?;
            if let Some(table) = broken {
                return Err(StoreError::Query(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                    Some(format!(
                        "migration {} left rows of {table} pointing nowhere",
                        migration.name
                    )),
                )));
            }
            tx.pragma_update(None, "user_version", migration.version)?;
            tx.commit()?;
            tracing::info!(
                version = migration.version,
                name = migration.name,
                "database migrated"
            );
        }
        Ok(())
    }
}

/// Switches to WAL once per file. Switching needs an exclusive lock, and SQLite answers BUSY
/// at once (without its busy handler) when another process opens the new file at the same
/// moment: retry for as long as the busy timeout.
fn enable_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    loop {
        let mode: rusqlite::Result<String> =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0));
        match mode {
            Ok(_) => return Ok(()),
            Err(error)
                if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(error) => return Err(error),
        }
    }
}

fn schema_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Creates `dir` (and parents) readable by its owner only, as backups and state are private.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    // Prove we can write here now rather than fail later in the middle of a backup. The name is
    // per process and thread: two openers at once must not remove each other's probe.
    let probe = dir.join(format!(
        ".dbm-write-probe-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

fn restrict_to_owner(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(error) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(path = %path.display(), %error, "could not make the database private");
        }
    }
}
