//! After a crash: no run stays "running", no half-written file stays on disk. Runs another
//! live process is doing (their run lock is held) are left alone, and so are their files.

use std::collections::HashSet;
use std::path::Path;

use crate::backups::{repository, run_lock, BackupId};
use crate::problem::Problem;
use crate::store::Store;

use super::layout::PARTIAL_SUFFIX;

/// What start-up cleaned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    pub interrupted_runs: usize,
    pub removed_partials: usize,
}

/// Marks runs whose process died as interrupted, and removes `.partial` files and folders
/// under the backup root that no live run is writing.
pub fn recover(store: &Store, backup_root: &Path) -> Result<Recovered, Problem> {
    let data_dir = store.path().parent().unwrap_or(Path::new("."));
    let mut alive = HashSet::new();
    let mut recovered = Recovered::default();
    // Bound first: a guard in the `for` expression would live through the loop and deadlock.
    let unfinished = repository::unfinished(&store.connection())?;
    for (id, _) in unfinished {
        if run_lock::is_alive(data_dir, id) {
            alive.insert(id);
        } else {
            repository::interrupt(&store.connection(), id)?;
            recovered.interrupted_runs += 1;
        }
    }
    recovered.removed_partials = remove_partials(backup_root, &alive);
    if recovered.interrupted_runs + recovered.removed_partials > 0 {
        tracing::warn!(
            interrupted_runs = recovered.interrupted_runs,
            removed_partials = recovered.removed_partials,
            "cleaned up after unfinished runs"
        );
    }
    Ok(recovered)
}

/// `recover`, plus removing containers of dead runs when Docker is there. Call at start-up.
pub async fn recover_all(store: &Store, backup_root: &Path) -> Result<Recovered, Problem> {
    let recovered = recover(store, backup_root)?;
    if let Ok(docker) = crate::docker::connect().await {
        crate::docker::remove_exited_leftovers(&docker).await;
    }
    Ok(recovered)
}

/// `<slug>_<stamp>_<id>.<ext>.partial` → id.
fn run_of(name: &str) -> Option<BackupId> {
    let stem = name.strip_suffix(PARTIAL_SUFFIX)?;
    let before_ext = stem.split('.').next()?;
    before_ext.rsplit('_').next()?.parse().ok().map(BackupId)
}

fn remove_partials(dir: &Path, alive: &HashSet<BackupId>) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if name.ends_with(PARTIAL_SUFFIX) {
            if run_of(&name).is_some_and(|id| alive.contains(&id)) {
                continue;
            }
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
            removed += remove_partials(&path, alive);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_run_id_from_a_partial_name() {
        assert_eq!(
            run_of("prod_20260101T000000Z_42.dump.partial"),
            Some(BackupId(42))
        );
        assert_eq!(
            run_of("my_db_x_20260101T000000Z_7.sql.zst.partial"),
            Some(BackupId(7))
        );
        assert_eq!(run_of("notes.txt"), None);
    }
}
