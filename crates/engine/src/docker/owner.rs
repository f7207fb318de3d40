//! Which process a container belongs to. Every container the app starts is labelled with the
//! path of a lock file its process holds for as long as it lives; the OS releases the lock when
//! the process dies, however it dies (kill -9 included). A container whose owner's lock is free
//! was left by a dead process: it goes at once, running or not, since its environment may hold
//! a password and it may still be writing a dump nobody will record.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The label that names the owner's lock file.
pub const OWNER_LABEL: &str = "dev.dbm.owner";

struct OwnerLock {
    path: PathBuf,
    // Held, never read: the lock lasts as long as the file stays open.
    _file: File,
}

/// One per process: a process-wide fact (this process is alive), not app state.
static OWNER: OnceLock<Option<OwnerLock>> = OnceLock::new();

fn owners_dir() -> PathBuf {
    std::env::temp_dir().join("dbm-owners")
}

fn take_lock() -> Option<OwnerLock> {
    let dir = owners_dir();
    crate::store::create_private_dir(&dir).ok()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!("{}-{nanos}.lock", std::process::id()));
    let file = OpenOptions::new()
        .create_new(true)
        .write(true)
        .open(&path)
        .ok()?;
    file.try_lock().ok()?;
    Some(OwnerLock { path, _file: file })
}

/// This process's lock path, for the label (None when no lock could be taken: such containers
/// fall back to the age rule of `remove_orphans`).
pub fn label_value() -> Option<String> {
    OWNER
        .get_or_init(take_lock)
        .as_ref()
        .map(|lock| lock.path.display().to_string())
}

/// Whether the process named by a label is alive. Unknown (a lock file of another user, one
/// that cannot be opened) counts as alive: only a provably dead owner's containers go.
pub fn is_alive(label: &str) -> bool {
    let path = Path::new(label);
    if !path.starts_with(owners_dir()) || path.file_name().is_none() {
        // Not a lock of this machine's app: it is not ours to judge.
        return true;
    }
    if Some(label) == label_value().as_deref() {
        return true;
    }
    // Only a provably dead owner's containers go: unknown counts as alive.
    crate::lock_file::holder(path) != crate::lock_file::Holder::Dead
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_released_lock_is_dead() {
        let own = label_value().expect("an owner lock");
        assert!(is_alive(&own));
        let dead = owners_dir().join("1-2.lock");
        std::fs::write(&dead, b"").unwrap();
        assert!(!is_alive(&dead.display().to_string()));
        assert!(!dead.exists(), "a dead owner's lock file is tidied");
        assert!(is_alive("/somewhere/else.lock"));
    }
}
