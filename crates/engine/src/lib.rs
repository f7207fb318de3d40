//! DB Backup Manager's engine: every rule of the product, with no knowledge of Tauri.
//! The desktop shell and the `dbm` CLI are thin adapters over it.

pub mod backups;
pub mod blocking;
pub mod connections;
pub mod docker;
pub mod dump;
pub mod health;
pub mod library;
pub(crate) mod lock_file;
pub mod model;
pub mod paths;
pub mod pg;
pub mod schedules;
pub mod secrets;
pub mod settings;
pub mod status;
pub mod storage;
pub mod store;
pub mod time;
pub mod units;
