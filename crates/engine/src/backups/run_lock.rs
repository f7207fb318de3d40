//! Which runs are alive. A running backup holds an OS file lock for its whole life; the OS
//! releases it when the process dies, however it dies (kill -9 included). So at start-up a run
//! still marked running whose lock is free was left by a dead process, while a run another
//! live process (the app beside `dbm`) is doing is left alone.

use crate::model::BackupId;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

pub struct RunLock {
    path: PathBuf,
    file: Option<File>,
}

fn lock_path(data_dir: &Path, id: BackupId) -> PathBuf {
    data_dir.join("locks").join(format!("backup-{}.lock", id.0))
}

impl RunLock {
    /// Takes the lock of run `id`; fails if another process holds it.
    pub fn acquire(data_dir: &Path, id: BackupId) -> io::Result<RunLock> {
        let path = lock_path(data_dir, id);
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
                "the run is locked by another process",
            ),
            std::fs::TryLockError::Error(error) => error,
        })?;
        Ok(RunLock {
            path,
            file: Some(file),
        })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let _ = std::fs::remove_file(&self.path);
            drop(file);
        }
    }
}

/// True when a live process holds run `id`'s lock.
pub fn is_alive(data_dir: &Path, id: BackupId) -> bool {
    // A lock file that cannot be opened was released (and tidied) or never made: dead.
    crate::lock_file::holder(&lock_path(data_dir, id)) == crate::lock_file::Holder::Alive
}
