//! The backups' health while the app runs: at start, every minute and after each backup, it
//! reads which scheduled connections are overdue for a good backup, shows that on the tray
//! (icon and menu) and tells the user by notification once, then at most daily (the engine
//! remembers when, across restarts).

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use dbm_engine::blocking::run_blocking;
use dbm_engine::health::{self, ConnectionHealth};
use dbm_engine::model::ConnectionId;

use crate::state::AppState;
use crate::tray;

const EVERY: Duration = Duration::from_secs(60);

/// Starts the watch for the app's lifetime.
pub fn watch<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut shown: Vec<ConnectionId> = Vec::new();
        loop {
            if let Some(overdue) = check(&app).await {
                // The menu lists the overdue connections: rebuilt when they change.
                if overdue != shown {
                    tray::refresh_menu(&app);
                    shown = overdue;
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Checks now (after a backup ended), off the minute's rhythm.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if check(&app).await.is_some() {
            tray::refresh_menu(&app);
        }
    });
}

/// Reads the health, updates the tray icon and sends the notifications due; answers the
/// overdue connections (None when the app's database cannot be read).
async fn check<R: Runtime>(app: &AppHandle<R>) -> Option<Vec<ConnectionId>> {
    let store = app.state::<AppState>().store().ok()?;
    let read = run_blocking(move || {
        let now = dbm_engine::time::now();
        let found = health::check(&store, now)?;
        let due = health::notices_due(&store, &found, now)?;
        Ok((found, due))
    })
    .await;
    let (found, due) = match read {
        Ok(read) => read,
        Err(problem) => {
            tracing::warn!(%problem, "the backups' health could not be read");
            return None;
        }
    };
    let overdue: Vec<ConnectionId> = found
        .iter()
        .filter(|h| h.overdue)
        .map(|h| h.connection_id)
        .collect();
    tray::set_overdue(app, !overdue.is_empty());
    for entry in due {
        tracing::warn!(connection = entry.connection_id.0, summary = %entry.summary, "a connection is overdue for a backup");
        tauri::async_runtime::spawn(crate::notify::send(summary(&entry), body(&entry)));
    }
    Some(overdue)
}

fn summary(entry: &ConnectionHealth) -> String {
    format!("{}: {}", entry.connection_name, entry.summary)
}

fn body(entry: &ConnectionHealth) -> String {
    format!(
        "Its schedule \"{}\" should have made a good backup by now. Open DB Backup Manager to see why.",
        entry.schedule_name
    )
}
