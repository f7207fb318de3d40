//! Backups: run now (with progress events), cancel, list and search, details, delete, save a
//! copy, verify, scan, restore, statistics, retention preview, show in folder.

use tauri::{AppHandle, State};

use std::path::Path;

use serde::Serialize;
use tauri::Emitter;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use dbm_app_command::command;
use dbm_engine::backups::{Backup, BackupFilter, Backups, Verification};
use dbm_engine::blocking::run_blocking;

use dbm_engine::dump::options::DumpOptions;
use dbm_engine::library::files::{self, Deleted, ScanReport};
use dbm_engine::library::restore::{self, RestoreOutcome, RestoreRequest};
use dbm_engine::library::restore_set::{self, SetRestoreOutcome, SetRestoreRequest};
use dbm_engine::library::stats::{self, Stats};
use dbm_engine::library::verify;
use dbm_engine::model::{BackupId, Code, ConnectionId, ScheduleId, Trigger};
use dbm_engine::schedules::retention::{self, RetentionPlan};

use crate::error::AppError;
use crate::state::AppState;

/// Runs a backup now and answers with its record when it ends (completed, failed or cancelled).
#[command]
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
#[command]
pub async fn backup_cancel(state: State<'_, AppState>, id: BackupId) -> Result<bool, AppError> {
    Ok(state.coordinator.cancel(id))
}

#[command]
pub async fn backup_list(
    state: State<'_, AppState>,
    connection_id: Option<ConnectionId>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> Result<Vec<Backup>, AppError> {
    let store = state.store()?;
    let filter = BackupFilter {
        connection: connection_id,
        ..Default::default()
    };
    Ok(run_blocking(move || {
        Backups::new(&store).list(&filter, limit.unwrap_or(50).min(500), offset.unwrap_or(0))
    })
    .await?)
}

/// A page of backups and how many match in all.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupPage {
    pub items: Vec<Backup>,
    #[ts(type = "number")]
    pub total: u64,
}

/// Newest first, filtered (connection, schedule, status, date range), a page at a time.
#[command]
pub async fn backup_search(
    state: State<'_, AppState>,
    filter: BackupFilter,
    limit: Option<u32>,
    offset: Option<u32>,
) -> Result<BackupPage, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || {
        let backups = Backups::new(&store);
        Ok(BackupPage {
            items: backups.list(&filter, limit.unwrap_or(50).min(500), offset.unwrap_or(0))?,
            total: backups.count(&filter)?,
        })
    })
    .await?)
}

/// Deletes the backup's file and record (the record alone when the file is already gone).
#[command]
pub async fn backup_delete(state: State<'_, AppState>, id: BackupId) -> Result<Deleted, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || files::delete(&store, id)).await?)
}

/// Copies the backup to `destination` (file or folder) and checks the copy's SHA-256.
#[command]
pub async fn backup_save_copy(
    state: State<'_, AppState>,
    id: BackupId,
    destination: String,
) -> Result<String, AppError> {
    let store = state.store()?;
    let copy = run_blocking(move || files::save_copy(&store, id, Path::new(&destination))).await?;
    Ok(copy.display().to_string())
}

/// Checks the file; with `restore`, restores it into a throwaway PostgreSQL in Docker, or with
/// `on`, into a scratch database on that connection's server (created and dropped).
#[command]
pub async fn backup_verify(
    app: AppHandle,
    state: State<'_, AppState>,
    id: BackupId,
    restore: bool,
    on: Option<ConnectionId>,
) -> Result<Verification, AppError> {
    let store = state.store()?;
    let how = verify::RestoreCheck::chosen(restore, on);
    let verification = verify::verify(store, id, how).await?;
    crate::events::publish(
        &app,
        crate::events::AppEvent::Schedules(crate::events::SchedulesEvent::Changed),
    );
    Ok(verification)
}

/// Marks backups whose files were removed or changed outside the app.
#[command]
pub async fn backup_scan(state: State<'_, AppState>, hash: bool) -> Result<ScanReport, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || files::scan(&store, hash)).await?)
}

/// Restores a backup; progress lines arrive as `restore` events.
#[command]
pub async fn backup_restore(
    app: AppHandle,
    state: State<'_, AppState>,
    request: RestoreRequest,
) -> Result<RestoreOutcome, AppError> {
    let store = state.store()?;
    let (cancel, on_line) = restore_session(&app, &state);
    let outcome = restore::restore(store, &request, &on_line, &cancel).await;
    *state.running_restore() = None;
    Ok(outcome?)
}

/// Restores a whole server set into a server (roles it lacks, then every database); progress
/// lines arrive as `restore` events, and the same cancel stops it.
#[command]
pub async fn backup_restore_set(
    app: AppHandle,
    state: State<'_, AppState>,
    request: SetRestoreRequest,
) -> Result<SetRestoreOutcome, AppError> {
    let store = state.store()?;
    let (cancel, on_line) = restore_session(&app, &state);
    let outcome = restore_set::restore_set(store, &request, &on_line, &cancel).await;
    *state.running_restore() = None;
    Ok(outcome?)
}

/// A restore's cancel token (registered, so Cancel reaches it) and its progress lines as
/// `restore` events.
fn restore_session(
    app: &AppHandle,
    state: &AppState,
) -> (CancellationToken, impl Fn(&str) + Send + Sync) {
    let cancel = CancellationToken::new();
    *state.running_restore() = Some(cancel.clone());
    let lines = app.clone();
    let on_line = move |line: &str| {
        let _ = lines.emit(RESTORE_EVENT, line.to_string());
    };
    (cancel, on_line)
}

/// Cancels the restore in progress; false when none runs.
#[command]
pub async fn backup_restore_cancel(state: State<'_, AppState>) -> Result<bool, AppError> {
    Ok(match state.running_restore().as_ref() {
        Some(token) => {
            token.cancel();
            true
        }
        None => false,
    })
}

/// The event restore progress lines are emitted under.
pub const RESTORE_EVENT: &str = "restore";

#[command]
pub async fn backup_stats(state: State<'_, AppState>) -> Result<Stats, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || stats::stats(&store, chrono_now())).await?)
}

fn chrono_now() -> dbm_engine::time::Instant {
    dbm_engine::time::now()
}

/// What the schedule's retention would delete now.
#[command]
pub async fn retention_preview(
    state: State<'_, AppState>,
    schedule_id: ScheduleId,
) -> Result<RetentionPlan, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || retention::preview(&store, schedule_id, chrono_now())).await?)
}

/// Opens the folder holding the backup in the desktop's file manager.
#[command]
pub async fn backup_show_in_folder(
    state: State<'_, AppState>,
    id: BackupId,
) -> Result<(), AppError> {
    let store = state.store()?;
    let backup = run_blocking(move || Backups::new(&store).get(id)).await?;
    let folder = backup
        .file_path
        .as_deref()
        .map(Path::new)
        .and_then(Path::parent)
        .filter(|folder| folder.is_dir())
        .ok_or_else(|| AppError {
            code: Code::BackupFileMissing,
            message: format!("Backup {id} has no folder on disk."),
        })?;
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(opener)
        .arg(folder)
        .spawn()
        .map_err(|error| AppError {
            code: Code::OpenFailed,
            message: format!(
                "The file manager could not be opened ({opener}: {error}). The folder is {}.",
                folder.display()
            ),
        })?;
    // Reaped when it exits, so no zombie stays behind for the app's lifetime.
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[command]
pub async fn backup_get(state: State<'_, AppState>, id: BackupId) -> Result<Backup, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Backups::new(&store).get(id)).await?)
}
