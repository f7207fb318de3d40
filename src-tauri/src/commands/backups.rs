//! Backups: run now (with progress events), cancel, list, details.

use tauri::{AppHandle, State};

use dbm_engine::backups::{Backup, BackupId, Backups, Trigger};
use dbm_engine::connections::{run_blocking, ConnectionId};
use dbm_engine::dump::options::DumpOptions;

use crate::error::AppError;
use crate::state::AppState;

/// Runs a backup now and answers with its record when it ends (completed, failed or cancelled).
#[tauri::command]
pub async fn backup_run(
    app: AppHandle,
    connection_id: ConnectionId,
    options: Option<DumpOptions>,
) -> Result<Backup, AppError> {
    crate::backup_now::run(
        app,
        connection_id,
        options.unwrap_or_default(),
        Trigger::Manual,
    )
    .await
}

/// Cancels a running backup; false when it was not running.
#[tauri::command]
pub async fn backup_cancel(state: State<'_, AppState>, id: BackupId) -> Result<bool, AppError> {
    Ok(state.coordinator.cancel(id))
}

#[tauri::command]
pub async fn backup_list(
    state: State<'_, AppState>,
    connection_id: Option<ConnectionId>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> Result<Vec<Backup>, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || {
        Backups::new(&store).list(
            connection_id,
            limit.unwrap_or(50).min(500),
            offset.unwrap_or(0),
        )
    })
    .await?)
}

#[tauri::command]
pub async fn backup_get(state: State<'_, AppState>, id: BackupId) -> Result<Backup, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Backups::new(&store).get(id)).await?)
}
