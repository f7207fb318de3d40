//! Talking to PostgreSQL servers: connecting with the right TLS, and what version they run.

mod connect;
pub mod conninfo;
pub mod databases;
mod errors;
pub mod identifier;
mod root_certificate;
pub mod table_stats;
mod target;
mod version;

pub use connect::connect;
pub use root_certificate::root_certificate_path;
pub use target::{ConnectTarget, APPLICATION_NAME, DEFAULT_CONNECT_TIMEOUT};
pub use version::{detect_server_version, ServerVersion, OLDEST_SUPPORTED_MAJOR};
