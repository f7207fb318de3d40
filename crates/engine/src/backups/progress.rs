//! How a running backup tells the world what it is doing. The engine calls this trait; the app
//! turns it into events, the CLI into a progress line, tests into assertions.

use crate::model::{BackupId, ConnectionId};
use std::time::Duration;

pub trait Progress: Send + Sync {
    /// The run has a record and is starting.
    fn started(&self, _backup: BackupId, _connection: ConnectionId) {}
    /// A step in words: "Detecting the server version", "Pulling postgres:16", …
    fn stage(&self, _backup: BackupId, _text: &str) {}
    /// Bytes written to the backup file so far.
    fn bytes(&self, _backup: BackupId, _bytes: u64, _elapsed: Duration) {}
}

/// For callers that do not watch.
pub struct NoProgress;

impl Progress for NoProgress {}
