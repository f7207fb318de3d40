//! The checks of a backup's file: there, with the recorded size and SHA-256, and (an archive)
//! read whole by `pg_restore --list`.

use std::path::Path;
use std::sync::Arc;

use crate::backups::{Backup, BackupKind, VerifyCheck};
use crate::dump::sink::hash_path;
use crate::library::tools::tools_for;
use crate::store::Store;

/// The file's checks in order; each one runs only when the ones before it passed.
pub(super) async fn checks(store: &Arc<Store>, backup: &Backup, path: &Path) -> Vec<VerifyCheck> {
    let mut checks = Vec::new();
    let file_ok = path.exists();
    checks.push(VerifyCheck::new(
        "file",
        file_ok,
        if file_ok {
            format!("{} is there", path.display())
        } else {
            format!("{} is missing", path.display())
        },
    ));
    if file_ok {
        let hashed = {
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || hash_path(&path)).await
        };
        match hashed {
            Ok(Ok(written)) => {
                let recorded_size = backup.size_bytes.map(|s| s as u64);
                checks.push(VerifyCheck::new(
                    "size",
                    recorded_size == Some(written.bytes),
                    format!(
                        "{} bytes on disk, {} recorded",
                        written.bytes,
                        recorded_size.map_or("none".into(), |s| s.to_string())
                    ),
                ));
                let sha_ok = backup.sha256.as_deref() == Some(written.sha256.as_str());
                checks.push(VerifyCheck::new(
                    "sha256",
                    sha_ok,
                    if sha_ok {
                        "matches the recorded checksum".to_string()
                    } else {
                        format!(
                            "{} on disk, {} recorded",
                            written.sha256,
                            backup.sha256.as_deref().unwrap_or("none")
                        )
                    },
                ));
            }
            _ => checks.push(VerifyCheck::new(
                "sha256",
                false,
                "the file could not be read",
            )),
        }
        let intact = checks.iter().all(|c| c.ok);
        // A set's folder is not an archive: its parts are checked one by one.
        if intact && backup.format.is_archive() && backup.kind == BackupKind::Database {
            checks.push(archive_check(store, backup, path).await);
        }
    }
    checks
}

async fn archive_check(store: &Arc<Store>, backup: &Backup, path: &Path) -> VerifyCheck {
    let chosen = tools_for(store, backup).await;
    let runner = match chosen {
        Ok(runner) => runner,
        Err(problem) => return VerifyCheck::new("archive", false, problem.to_string()),
    };
    match runner.restore_list(path).await {
        Ok(exit) if exit.exit_code == 0 => VerifyCheck::new(
            "archive",
            true,
            format!("pg_restore --list reads it ({})", runner.detail()),
        ),
        Ok(exit) => VerifyCheck::new(
            "archive",
            false,
            format!("pg_restore --list failed: {}", exit.stderr.trim()),
        ),
        Err(problem) => VerifyCheck::new("archive", false, problem.to_string()),
    }
}
