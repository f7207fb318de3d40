//! Where libpq finds the CA that verify-ca and verify-full check a server against: one lookup
//! for the app's own connections and for the tools it runs.

use std::path::PathBuf;

/// `PGSSLROOTCERT`, else `~/.postgresql/root.crt` (`%APPDATA%\postgresql\root.crt` on
/// Windows), when it exists.
pub fn root_certificate_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PGSSLROOTCERT").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let default = if cfg!(windows) {
        PathBuf::from(std::env::var_os("APPDATA")?)
            .join("postgresql")
            .join("root.crt")
    } else {
        PathBuf::from(std::env::var_os("HOME")?)
            .join(".postgresql")
            .join("root.crt")
    };
    default.is_file().then_some(default)
}
