//! Proof that a backup is good: its file is there with the recorded size and SHA-256, an
//! archive reads with `pg_restore --list`, and (asked for) it restores into a throwaway
//! PostgreSQL in a `postgres:<major>` container whose per-table row counts match the source's.
//!
//! One job per file: `file_checks`, `restore_check` (where and what it compares), `container`
//! and `on_server` (the two ways to restore), `counts` (row counting).

mod container;
mod counts;
mod file_checks;
mod on_server;
mod restore_check;
mod set_checks;
mod set_container;

pub use restore_check::RestoreCheck;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::backups::repository;
use crate::backups::{BackupKind, Verification};
use crate::blocking::run_blocking;
use crate::model::{BackupId, BackupStatus, Code, Problem};
use crate::store::Store;

/// Verifies backup `id` and records the result and time on it.
pub async fn verify(
    store: Arc<Store>,
    id: BackupId,
    restore: RestoreCheck,
) -> Result<Verification, Problem> {
    let started = Instant::now();
    let lookup = store.clone();
    let backup = run_blocking(move || repository::get(&lookup.connection(), id)).await?;
    let verifiable = backup.status == BackupStatus::Completed
        || (backup.kind == BackupKind::Server && backup.status == BackupStatus::Partial);
    if !verifiable {
        return Err(Problem::new(
            Code::BackupHasNoFile,
            format!(
                "Backup {id} is {}: there is nothing to verify.",
                backup.status.as_str()
            ),
            "Choose a completed backup.",
        ));
    }
    let mut checks = Vec::new();
    let mut restored_tables = None;
    let path = backup
        .file_path
        .clone()
        .map(PathBuf::from)
        .unwrap_or_default();
    checks.extend(file_checks::checks(&store, &backup, &path).await);
    if backup.kind == BackupKind::Server {
        if checks.iter().all(|c| c.ok) {
            let (part_checks, tables) = set_checks::parts(&store, &backup, &path, restore).await;
            checks.extend(part_checks);
            restored_tables = tables;
        }
    } else if restore != RestoreCheck::None && checks.iter().all(|c| c.ok) {
        let (restore_checks, tables) =
            restore_check::restore_check(&store, &backup, &path, restore, None).await;
        checks.extend(restore_checks);
        restored_tables = tables;
    }
    let verification = Verification {
        ok: checks.iter().all(|c| c.ok),
        checks,
        restored_tables,
        // Whole milliseconds: the record round-trips through JSON unchanged.
        seconds: started.elapsed().as_millis() as f64 / 1000.0,
    };
    let record = verification.clone();
    run_blocking(move || repository::set_verification(&store.connection(), id, &record)).await?;
    tracing::info!(backup = id.0, ok = verification.ok, "backup verified");
    Ok(verification)
}
