//! Commands about the app itself and what it depends on.

use tauri::State;

use dbm_app_command::command;
use dbm_engine::status::{self, SystemStatus};

use crate::error::AppError;
use crate::state::AppState;

/// The Dashboard's status: versions, data dir, database, Docker and keyring.
#[command]
pub async fn system_status(state: State<'_, AppState>) -> Result<SystemStatus, AppError> {
    let store = state.store.as_deref();
    Ok(status::system_status(&state.data_dir, store).await)
}
