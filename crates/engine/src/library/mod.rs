//! Backup files on disk: where they go, and cleaning up after a crash.

pub mod layout;
pub mod recovery;
