//! A lock file held while a copy uploads: the OS frees it when the process dies however it
//! dies, so a copy left `copying` with a free lock was abandoned and can start again.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::lock_file::{self, Holder};
use crate::model::{BackupId, LocationId};

pub struct CopyLock {
    path: PathBuf,
    _file: File,
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
        let path = lock_path(data_dir, backup, location);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => io::Error::new(
                io::ErrorKind::WouldBlock,
                "the copy is being made by another process",
            ),
            std::fs::TryLockError::Error(error) => error,
        })?;
        Ok(CopyLock { path, _file: file })
    }
}

impl Drop for CopyLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a live process is making this copy now.
pub fn is_alive(data_dir: &Path, backup: BackupId, location: LocationId) -> bool {
    lock_file::holder(&lock_path(data_dir, backup, location)) == Holder::Alive
}
