//! Locks held by a live process for its life: the OS releases them when it dies, however it
//! dies, so a free lock names a dead holder. Run locks and container owners are both read so.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

/// Who holds a lock file now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// A live process holds it.
    Alive,
    /// Nobody: its process died (the file is removed), or it is gone.
    Dead,
    /// It cannot be told (the file cannot be opened: another user's, say).
    Unknown,
}

/// Tries the lock of `path`: free means its holder died, and the stale file goes.
pub fn holder(path: &Path) -> Holder {
    let file = match OpenOptions::new().write(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Holder::Dead,
        Err(_) => return Holder::Unknown,
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = std::fs::remove_file(path);
            Holder::Dead
        }
        Err(std::fs::TryLockError::WouldBlock) => Holder::Alive,
        Err(std::fs::TryLockError::Error(_)) => Holder::Unknown,
    }
}
