//! Talking to PostgreSQL servers: connecting with the right TLS, and what version they run.

mod connect;
pub mod conninfo;
mod errors;
mod version;

pub use connect::{connect, ConnectTarget, DEFAULT_CONNECT_TIMEOUT};
pub use version::{detect_server_version, ServerVersion, OLDEST_SUPPORTED_MAJOR};
