//! A lock file held while a copy uploads: the OS frees it when the process dies however it
//! dies, so a copy left `copying` with a free lock was abandoned and can start again.

use std::io;
use std::path::{Path, PathBuf};

use crate::lock_file::{self, Held, Holder};
use crate::model::{BackupId, LocationId};

pub struct CopyLock {
    _held: Held,
}

fn lock_path(data_dir: &Path, backup: BackupId, location: LocationId) -> PathBuf {
    data_dir
        .join("locks")
        .join(format!("copy-{backup}-{location}.lock"))
}

impl CopyLock {
    /// Takes the copy's lock, or fails at once when another process holds it.
    pub fn acquire(
        data_dir: &Path,
        backup: BackupId,
        location: LocationId,
    ) -> io::Result<CopyLock> {
        let held = Held::acquire(
            lock_path(data_dir, backup, location),
            "the copy is being made by another process",
        )?;
        Ok(CopyLock { _held: held })
    }
}

/// Whether a live process is making this copy now.
pub fn is_alive(data_dir: &Path, backup: BackupId, location: LocationId) -> bool {
    lock_file::holder(&lock_path(data_dir, backup, location)) == Holder::Alive
}
