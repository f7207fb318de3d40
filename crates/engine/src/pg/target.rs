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
}
