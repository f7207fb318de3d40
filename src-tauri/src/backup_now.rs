//! Starting a backup from the shell (the window's command or the tray), with events, the tray's
//! icon and a notification when it fails.

use std::sync::Arc;

use tauri::{AppHandle, Manager, Runtime};

use dbm_engine::backups::{Backup, BackupRequest};
use dbm_engine::blocking::run_blocking;
use dbm_engine::model::{ConnectionId, Trigger};

use dbm_engine::dump::options::DumpOptions;

use crate::error::AppError;
use crate::events::{self, TauriProgress};
use crate::state::AppState;

pub async fn run<R: Runtime>(
    app: AppHandle<R>,
    connection: ConnectionId,
    options: DumpOptions,
    trigger: Trigger,
) -> Result<Backup, AppError> {
    let state = app.state::<AppState>();
    let store = state.store()?;
    let lookup = store.clone();
    let (name, notify) =
        run_blocking(move || Ok(events::notice_for(&lookup, connection, "a connection"))).await?;
    let request = BackupRequest {
        connection,
        options,
        trigger,
        schedule: None,
        engine: None,
        stall_after: None,
        time_limit: None,
    };
    let progress = Arc::new(TauriProgress { app: app.clone() });
    let backup = state.coordinator.run(store, request, progress).await?;
    events::finished(&app, &backup, &name, notify);
    Ok(backup)
}
