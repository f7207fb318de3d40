//! Backup runs: their records, and running one end to end.

mod begin;
mod coordinator;
mod guard;
pub mod layout;
pub mod manifest;
mod model;
mod partial_file;
pub(crate) mod parts;
mod progress;
pub(crate) mod repository;
mod run;
pub(crate) mod run_lock;
mod run_problems;
mod server_set;
mod stall;
pub mod unusual;

pub use begin::BackupRequest;
pub use coordinator::{Coordinator, DEFAULT_CONCURRENCY};
pub use model::{
    Backup, BackupKind, FileState, HookResult, SetGlobals, SetPart, TableCount, Verification,
    VerifyCheck,
};
pub use progress::{NoProgress, Progress};
pub use repository::BackupFilter;
pub use run::run_backup;

use crate::model::{BackupId, Problem};
use crate::store::Store;

/// The engine's read operations on backup records.
pub struct Backups<'a> {
    store: &'a Store,
}

impl<'a> Backups<'a> {
    pub fn new(store: &'a Store) -> Self {
        Backups { store }
    }

    pub fn get(&self, id: BackupId) -> Result<Backup, Problem> {
        repository::get(&self.store.connection(), id)
    }

    /// Newest first, a page at a time.
    pub fn list(
        &self,
        filter: &BackupFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Backup>, Problem> {
        repository::list(&self.store.connection(), filter, limit, offset)
    }

    pub fn count(&self, filter: &BackupFilter) -> Result<u64, Problem> {
        repository::count(&self.store.connection(), filter)
    }
}
