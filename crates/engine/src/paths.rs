//! Where the app keeps its state.

use std::path::PathBuf;

/// Environment variable that overrides the data dir (for tests, portable installs and the CLI).
pub const DATA_DIR_ENV: &str = "DBM_DATA_DIR";

/// The data dir: `DBM_DATA_DIR` when set, else the platform's data dir
/// (`$XDG_DATA_HOME/db-backup-manager` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("dev", "dbm", "db-backup-manager")
        .map(|dirs| dirs.data_dir().to_path_buf())
}
