//! Where and as whom to connect: what the session, the error wording and the tools all read.

use std::time::Duration;

use crate::model::SslMode;
use crate::secrets::Secret;

/// How long a connection attempt may take, handshake and authentication included.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct ConnectTarget {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub username: String,
    pub sslmode: SslMode,
    pub password: Option<Secret>,
    pub timeout: Duration,
    /// What the server's `pg_stat_activity` calls the sessions (a backup run names its own, to
    /// find them when it stalls).
    pub application_name: String,
}

/// The sessions' name on the server, unless a run gives its own.
pub const APPLICATION_NAME: &str = "db-backup-manager";
