//! The Settings page: which pg_dump runs, the image template, the backup folder, notifications.

use tauri::State;

use dbm_app_command::command;
use dbm_engine::blocking::run_blocking;
use dbm_engine::settings::AppSettings;

use crate::error::AppError;
use crate::state::AppState;

#[command]
pub async fn settings_get(state: State<'_, AppState>) -> Result<AppSettings, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || AppSettings::load(&store)).await?)
}

/// Saves all of them, or none when one is wrong (its code names the field: invalid_<field>).
#[command]
pub async fn settings_save(
    state: State<'_, AppState>,
    settings: AppSettings,
) -> Result<AppSettings, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || settings.save(&store)).await?)
}
