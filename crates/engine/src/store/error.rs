use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::{Code, Problem};

/// Why the app's own database cannot be used.
#[derive(Debug)]
pub enum StoreError {
    DataDirUnusable {
        path: PathBuf,
        source: std::io::Error,
    },
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    Corrupt {
        path: PathBuf,
        detail: String,
    },
    Locked {
        path: PathBuf,
    },
    Open {
        path: PathBuf,
        detail: String,
    },
    Query(rusqlite::Error),
}

impl StoreError {
    /// A stable code the UI and scripts can switch on.
    pub fn code(&self) -> Code {
        match self {
            StoreError::DataDirUnusable { .. } => Code::DataDirUnusable,
            StoreError::NewerSchema { .. } => Code::DatabaseNewerSchema,
            StoreError::Corrupt { .. } => Code::DatabaseCorrupt,
            StoreError::Locked { .. } => Code::DatabaseLocked,
            StoreError::Open { .. } => Code::DatabaseOpenFailed,
            StoreError::Query(_) => Code::DatabaseQueryFailed,
        }
    }

    /// What is wrong.
    pub fn what(&self) -> String {
        match self {
            StoreError::DataDirUnusable { path, source } => {
                format!(
                    "The data folder {} cannot be used: {source}.",
                    path.display()
                )
            }
            StoreError::NewerSchema {
                path,
                found,
                supported,
            } => format!(
                "The database {} was written by a newer DB Backup Manager (schema {found}; this \
                 version knows up to {supported}).",
                path.display()
            ),
            StoreError::Corrupt { path, detail } => format!(
                "The database {} is not a readable SQLite database ({detail}).",
                path.display()
            ),
            StoreError::Locked { path } => {
                format!(
                    "The database {} is locked by another process.",
                    path.display()
                )
            }
            StoreError::Open { path, detail } => {
                format!(
                    "The database {} could not be opened: {detail}.",
                    path.display()
                )
            }
            StoreError::Query(error) => format!("A database query failed: {error}."),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        match self {
            StoreError::DataDirUnusable { .. } => {
                "Make the folder writable, or choose another one with DBM_DATA_DIR (or --data-dir)."
            }
            StoreError::NewerSchema { .. } => {
                "Update DB Backup Manager to the version that wrote it; the file was left untouched."
            }
            StoreError::Corrupt { .. } => {
                "The file was left untouched: move it aside to start afresh, or put back a copy of it."
            }
            StoreError::Locked { .. } => {
                "Close the other DB Backup Manager or `dbm` using it, then try again."
            }
            StoreError::Open { .. } | StoreError::Query(_) => {
                "Check the data folder's disk and permissions, then try again."
            }
        }
    }

    pub fn problem(&self) -> Problem {
        Problem::new(self.code(), self.what(), self.fix())
    }

    /// Classifies an error SQLite raised while opening `path`.
    pub(crate) fn opening(path: &Path, error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match error.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path,
                detail: error.to_string(),
            },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Locked { path }
            }
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreError::DataDirUnusable {
                    source: std::io::Error::new(
                        std::io::ErrorKind::PermissionDenied,
                        error.to_string(),
                    ),
                    path: path.parent().map(Path::to_path_buf).unwrap_or(path),
                }
            }
            _ => StoreError::Open {
                path,
                detail: error.to_string(),
            },
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.what(), self.fix())
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::DataDirUnusable { source, .. } => Some(source),
            StoreError::Query(error) => Some(error),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Query(error)
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        error.problem()
    }
}

impl From<rusqlite::Error> for Problem {
    /// A write that waited longer than the busy timeout for another process's lock is
    /// `database_busy` (worth trying again); anything else is the store's own failure.
    fn from(error: rusqlite::Error) -> Self {
        let busy = matches!(
            error.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        if busy {
            return Problem::new(
                Code::DatabaseBusy,
                "The app's database is busy: another process has held it for a while.",
                "Try again in a moment; if it stays busy, close other programs using the data folder.",
            );
        }
        StoreError::Query(error).problem()
    }
}
