//! Locks held by a live process for its life: the OS releases them when it dies, however it
//! dies, so a free lock names a dead holder. Run locks and container owners are both read so.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

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

/// A lock this process holds on `path` until dropped (the file goes then).
pub struct Held {
    path: PathBuf,
    file: Option<File>,
}

impl Held {
    /// Takes the lock of `path` (its folder made if needed); fails at once, with
    /// `WouldBlock`, when another process holds it.
    pub fn acquire(path: PathBuf, held_by_other: &str) -> io::Result<Held> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => {
                io::Error::new(io::ErrorKind::WouldBlock, held_by_other.to_string())
            }
            std::fs::TryLockError::Error(error) => error,
        })?;
        Ok(Held {
            path,
            file: Some(file),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let _ = std::fs::remove_file(&self.path);
            drop(file);
        }
    }
}
