//! Which runs are alive. A running backup holds an OS file lock for its whole life; the OS
//! releases it when the process dies, however it dies (kill -9 included). So at start-up a run
//! still marked running whose lock is free was left by a dead process, while a run another
//! live process (the app beside `dbm`) is doing is left alone.

use crate::lock_file::Held;
use crate::model::BackupId;
use std::io;
use std::path::{Path, PathBuf};

pub struct RunLock {
    _held: Held,
}

fn lock_path(data_dir: &Path, id: BackupId) -> PathBuf {
    data_dir.join("locks").join(format!("backup-{}.lock", id.0))
}

impl RunLock {
    /// Takes the lock of run `id`; fails if another process holds it.
    pub fn acquire(data_dir: &Path, id: BackupId) -> io::Result<RunLock> {
        let held = Held::acquire(
            lock_path(data_dir, id),
            "the run is locked by another process",
        )?;
        Ok(RunLock { _held: held })
    }
}

/// True when a live process holds run `id`'s lock.
pub fn is_alive(data_dir: &Path, id: BackupId) -> bool {
    // A lock file that cannot be opened was released (and tidied) or never made: dead.
    crate::lock_file::holder(&lock_path(data_dir, id)) == crate::lock_file::Holder::Alive
}
