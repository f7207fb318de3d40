//! Storage locations and copies: add (tested first), list, test, remove, per-location retention;
//! a backup's copies, copy now (or retry), verify a copy; the encryption key's export.

use std::path::PathBuf;

use tauri::{AppHandle, State};

use dbm_app_command::command;
use dbm_engine::blocking::run_blocking;
use dbm_engine::library::copies::{self, CopyCheck};
use dbm_engine::model::{BackupId, LocationId};
use dbm_engine::schedules::{CopyPlan, Schedule, Schedules};
use dbm_engine::secrets::Secret;
use dbm_engine::storage::encryption::{self, KeyInfo};
use dbm_engine::storage::{Copy, CopyState, Location, LocationInput, ProbeReport, Storage};

use crate::error::AppError;
use crate::events::{publish, AppEvent, CopyEvent, SchedulesEvent};
use crate::state::AppState;

#[command]
pub async fn storage_list(state: State<'_, AppState>) -> Result<Vec<Location>, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Storage::new(&store).list()).await?)
}

/// Adds a location after a test (list, write, read back, delete) passes; nothing stays when
/// it fails. The secret (an S3 secret key) goes to the keyring.
#[command]
pub async fn storage_add(
    state: State<'_, AppState>,
    input: LocationInput,
    secret: Option<String>,
) -> Result<Location, AppError> {
    let store = state.store()?;
    let secret = secret.map(Secret::new);
    Ok(Storage::new(&store)
        .add_tested(&input, secret.as_ref())
        .await?)
}

#[command]
pub async fn storage_test(
    state: State<'_, AppState>,
    id: LocationId,
) -> Result<ProbeReport, AppError> {
    let store = state.store()?;
    let storage = Storage::new(&store);
    let location = storage.get(id)?;
    Ok(storage.test(&location).await?)
}

/// Forgets a location (and takes it out of the schedules that copy to it); the objects in it
/// stay.
#[command]
pub async fn storage_remove(
    app: AppHandle,
    state: State<'_, AppState>,
    id: LocationId,
) -> Result<(), AppError> {
    let store = state.store()?;
    run_blocking(move || Schedules::new(&store).remove_location(id)).await?;
    publish(&app, AppEvent::Schedules(SchedulesEvent::Changed));
    Ok(())
}

#[command]
pub async fn storage_set_retention(
    state: State<'_, AppState>,
    id: LocationId,
    keep_last: Option<u32>,
    keep_days: Option<u32>,
) -> Result<Location, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Storage::new(&store).set_retention(id, keep_last, keep_days)).await?)
}

/// A backup's copies, by location name.
#[command]
pub async fn backup_copies(
    state: State<'_, AppState>,
    id: BackupId,
) -> Result<Vec<Copy>, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Storage::new(&store).copies_of(id)).await?)
}

/// Copies not done: pending, copying, failed, missing or altered (for the Dashboard).
#[command]
pub async fn copies_needing_attention(state: State<'_, AppState>) -> Result<Vec<Copy>, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || {
        Storage::new(&store).copies_in_states(&[
            CopyState::Pending,
            CopyState::Copying,
            CopyState::Failed,
            CopyState::Missing,
            CopyState::Altered,
        ])
    })
    .await?)
}

/// Copies a backup to a location now (also a retry); `copy` events tell its progress.
#[command]
pub async fn backup_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    id: BackupId,
    location: LocationId,
    encrypt: bool,
) -> Result<Copy, AppError> {
    let store = state.store()?;
    let target = run_blocking({
        let store = store.clone();
        move || Storage::new(&store).get(location)
    })
    .await?;
    let progress_app = app.clone();
    let last = std::sync::Mutex::new(std::time::Instant::now());
    let copied = copies::copy(store, id, &target, encrypt, &move |bytes| {
        let mut at = last.lock().unwrap_or_else(|p| p.into_inner());
        if at.elapsed() >= std::time::Duration::from_millis(250) {
            *at = std::time::Instant::now();
            publish(
                &progress_app,
                AppEvent::Copy(CopyEvent::Progress {
                    backup_id: id,
                    location_id: location,
                    bytes: bytes as f64,
                }),
            );
        }
    })
    .await;
    publish(&app, AppEvent::Copy(CopyEvent::Changed { backup_id: id }));
    Ok(copied?)
}

/// Downloads the copy and rehashes every object; records copied, missing or altered.
#[command]
pub async fn backup_verify_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    id: BackupId,
    location: LocationId,
) -> Result<CopyCheck, AppError> {
    let store = state.store()?;
    let target = run_blocking({
        let store = store.clone();
        move || Storage::new(&store).get(location)
    })
    .await?;
    let check = copies::verify_copy(store, id, &target).await;
    publish(&app, AppEvent::Copy(CopyEvent::Changed { backup_id: id }));
    Ok(check?)
}

#[command]
pub async fn key_info(state: State<'_, AppState>) -> Result<KeyInfo, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || encryption::info(&store)).await?)
}

/// Writes the identity to `path` (a new file, mode 0600) and notes that it was exported.
#[command]
pub async fn key_export(state: State<'_, AppState>, path: String) -> Result<KeyInfo, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || {
        encryption::export_to_file(&store, &PathBuf::from(path))?;
        encryption::info(&store)
    })
    .await?)
}

/// Sets where a schedule's backups are copied, encrypted or not, and whether the local file stays.
#[command]
pub async fn schedule_set_copy_plan(
    app: AppHandle,
    state: State<'_, AppState>,
    id: dbm_engine::model::ScheduleId,
    plan: CopyPlan,
) -> Result<Schedule, AppError> {
    let store = state.store()?;
    let schedule = run_blocking(move || Schedules::new(&store).set_copy_plan(id, &plan)).await?;
    publish(&app, AppEvent::Schedules(SchedulesEvent::Changed));
    Ok(schedule)
}
