//! After a crash: no run stays "running", no half-written file stays on disk.

use std::path::Path;

use crate::backups::repository;
use crate::problem::Problem;
use crate::store::Store;

/// What start-up cleaned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    pub interrupted_runs: usize,
    pub removed_partials: usize,
}

/// Marks runs left running or pending as interrupted, and removes `.partial` files and folders
/// under the backup root. Call once at start-up, before any backup runs.
pub fn recover(store: &Store, backup_root: &Path) -> Result<Recovered, Problem> {
    let interrupted_runs = repository::interrupt_unfinished(&store.connection())?;
    let removed_partials = remove_partials(backup_root);
    if interrupted_runs + removed_partials > 0 {
        tracing::warn!(
            interrupted_runs,
            removed_partials,
            "cleaned up after an unfinished run"
        );
    }
    Ok(Recovered {
        interrupted_runs,
        removed_partials,
    })
}

fn remove_partials(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_partial = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(super::layout::PARTIAL_SUFFIX));
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if is_partial {
            let result = if kind.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match result {
                Ok(()) => removed += 1,
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "could not remove a partial backup")
                }
            }
        } else if kind.is_dir() {
            removed += remove_partials(&path);
        }
    }
    removed
}
