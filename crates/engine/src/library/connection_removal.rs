//! Removing a saved connection without losing what it made. By default its backups stay: the
//! connection is marked removed (its password leaves the keyring, its schedules go) and its
//! backups stay listed under its name, verifiable, copyable and restorable into another
//! connection. Asked to, it deletes them with their files first. Never while one is running.

use serde::Serialize;
use ts_rs::TS;

use super::files;
use crate::backups::repository::{self, BackupFilter};
use crate::backups::run_lock;
use crate::connections::Connections;
use crate::model::{Code, ConnectionId, Problem};
use crate::store::Store;

/// What removing a connection would touch, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemovalPreview {
    pub connection_id: ConnectionId,
    pub name: String,
    /// Every backup record of the connection (failed runs included).
    #[ts(type = "number")]
    pub backups: u64,
    /// Bytes of its completed backups' files.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What removing did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Removed {
    pub connection_id: ConnectionId,
    /// Backups kept, listed under the removed connection's name.
    #[ts(type = "number")]
    pub kept_backups: u64,
    /// Backups deleted, files and records.
    #[ts(type = "number")]
    pub deleted_backups: u64,
}

pub fn preview(store: &Store, id: ConnectionId) -> Result<RemovalPreview, Problem> {
    let connection = Connections::new(store).find(&id.to_string())?;
    let (backups, bytes) = repository::totals_of(&store.connection(), id)?;
    Ok(RemovalPreview {
        connection_id: id,
        name: connection.name,
        backups,
        bytes,
    })
}

/// Removes connection `id`, keeping its backups unless `delete_backups`.
pub fn remove(store: &Store, id: ConnectionId, delete_backups: bool) -> Result<Removed, Problem> {
    let connection = Connections::new(store).find(&id.to_string())?;
    refuse_while_running(store, id, &connection.name)?;
    let mut deleted_backups = 0;
    if delete_backups {
        let filter = BackupFilter {
            connection: Some(id),
            ..Default::default()
        };
        let backups = repository::list(&store.connection(), &filter, u32::MAX, 0)?;
        let total = backups.len();
        for backup in backups {
            files::delete(store, backup.id).map_err(|problem| {
                Problem::new(
                    problem.code,
                    format!(
                        "{} {deleted_backups} of {total} backups of \"{}\" were deleted before this one; the connection is kept.",
                        problem.message, connection.name
                    ),
                    problem.fix.clone(),
                )
            })?;
            deleted_backups += 1;
        }
    }
    let (kept_backups, _) = repository::totals_of(&store.connection(), id)?;
    if kept_backups == 0 {
        Connections::new(store).delete(id)?;
    } else {
        Connections::new(store).retire(id)?;
    }
    Ok(Removed {
        connection_id: id,
        kept_backups,
        deleted_backups,
    })
}

fn refuse_while_running(store: &Store, id: ConnectionId, name: &str) -> Result<(), Problem> {
    let data_dir = store
        .path()
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let unfinished = repository::unfinished_of(&store.connection(), id)?;
    for backup in unfinished {
        if run_lock::is_alive(&data_dir, backup) {
            return Err(Problem::new(
                Code::ConnectionBusy,
                format!("Backup {backup} of \"{name}\" is running."),
                "Wait for it to end or cancel it, then remove the connection.",
            ));
        }
        // Left "running" by a process that died: it ended, interrupted.
        repository::interrupt(&store.connection(), backup)?;
    }
    Ok(())
}
