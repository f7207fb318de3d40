//! What every run of a PostgreSQL client tool shares, whichever way it runs (container or local
//! binary): where the output goes, how it ended, and the libpq environment it gets.

use std::path::{Path, PathBuf};

use super::sink::Sink;
use crate::model::SslMode;
use crate::pg::ConnectTarget;

/// Where pg_dump's output goes: streamed through the app, or a path (file, or folder for the
/// directory format) that pg_dump writes itself.
pub enum Destination<'a> {
    Stream(&'a Sink),
    Path(&'a Path),
}

/// How pg_dump (or pg_restore) ended.
#[derive(Debug, Clone, Default)]
pub struct Exit {
    pub exit_code: i64,
    /// The last 64 KiB of its stderr.
    pub stderr: String,
    pub cancelled: bool,
    /// The app stopped writing (disk full, I/O error): the sink says why.
    pub writer_failed: bool,
}

/// The libpq environment for a target: connection details and the password never go in argv.
pub fn libpq_env(
    target: &ConnectTarget,
    host: &str,
    root_cert: Option<&str>,
) -> Vec<(String, String)> {
    let mut env = vec![
        ("PGHOST".to_string(), host.to_string()),
        ("PGPORT".to_string(), target.port.to_string()),
        ("PGUSER".to_string(), target.username.clone()),
        ("PGDATABASE".to_string(), target.database.clone()),
        ("PGSSLMODE".to_string(), target.sslmode.as_str().to_string()),
        ("PGAPPNAME".to_string(), target.application_name.clone()),
        (
            "PGCONNECT_TIMEOUT".to_string(),
            target.timeout.as_secs().max(1).to_string(),
        ),
    ];
    if let Some(password) = &target.password {
        env.push(("PGPASSWORD".to_string(), password.expose().to_string()));
    }
    if let Some(root_cert) = root_cert {
        env.push(("PGSSLROOTCERT".to_string(), root_cert.to_string()));
    }
    env
}

/// Removes the `PG*` variables a local tool would inherit from the user's environment
/// (`PGSERVICE`, `PGHOSTADDR`, `PGOPTIONS`, `PGPASSFILE` …): they could send it to another
/// server, as another user, than the one the connection names. `libpq_env` then sets ours.
pub fn clear_libpq_env(command: &mut tokio::process::Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            command.env_remove(key);
        }
    }
}

/// The CA file for verify-ca / verify-full, as libpq finds it.
pub fn root_certificate(sslmode: SslMode) -> Option<PathBuf> {
    if !matches!(sslmode, SslMode::VerifyCa | SslMode::VerifyFull) {
        return None;
    }
    crate::pg::root_certificate_path()
}
