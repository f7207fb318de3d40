//! Backup files on disk: where they go, cleaning up after a crash, and what users do with
//! them (delete, save a copy, scan, statistics, retention, verify, restore).

pub mod connection_removal;
pub mod copies;
pub mod dump_scope;
pub mod files;
pub mod globals_filter;
pub mod location_scan;
pub mod owned;
pub mod recovery;
pub mod restore;
pub mod restore_set;
pub(crate) mod set_parts;
mod set_recovery;
pub mod stats;
#[cfg(test)]
mod tests;
pub mod tools;
pub mod verify;
