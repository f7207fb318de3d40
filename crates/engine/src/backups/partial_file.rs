//! The file a run writes before it is checked and renamed: watched while pg_dump writes it,
//! made private, removed when the run does not complete.

use std::path::Path;

use crate::dump::sink::ProgressFn;

/// Removes the partial file (or folder, for the directory format) of a run that did not complete.
pub(super) fn remove_partial(partial: &Path) {
    let result = if partial.is_dir() {
        std::fs::remove_dir_all(partial)
    } else if partial.exists() {
        std::fs::remove_file(partial)
    } else {
        Ok(())
    };
    if let Err(error) = result {
        tracing::warn!(path = %partial.display(), %error, "could not remove a partial backup");
    }
}

/// Reports the size of what pg_dump is writing, a few times a second, until aborted.
pub(super) fn watch_size(
    path: std::path::PathBuf,
    report: ProgressFn,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            let probe = path.clone();
            if let Ok(bytes) = tokio::task::spawn_blocking(move || size_on_disk(&probe)).await {
                report(bytes);
            }
        }
    })
}

fn size_on_disk(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| size_on_disk(&entry.path()))
            .sum(),
        Ok(meta) => meta.len(),
        Err(_) => 0,
    }
}

/// Files 0600, folders 0700 for what pg_dump wrote itself (the directory format).
pub(super) fn restrict_tree(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
        if path.is_dir() {
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                restrict_tree(&entry.path());
            }
        }
    }
}
