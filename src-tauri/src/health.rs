//! The backups' health while the app runs: at start, every minute and after each backup, it
//! reads which scheduled connections are overdue for a good backup, shows that on the tray
//! (icon and menu: the menu reads what this found, it does not ask again) and tells the user by
//! notification once, then at most daily (the engine remembers when, across restarts).

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use dbm_engine::blocking::run_blocking;
use dbm_engine::health::{self, ConnectionHealth};

use crate::state::AppState;
use crate::tray;

const EVERY: Duration = Duration::from_secs(60);

/// Starts the watch for the app's lifetime.
pub fn watch<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            check(&app).await;
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Checks now (a backup ended), off the minute's rhythm.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move { check(&app).await });
}

/// Reads the health, gives the tray the overdue connections (its icon and menu follow) and
/// sends the notifications due.
async fn check<R: Runtime>(app: &AppHandle<R>) {
    let Ok(store) = app.state::<AppState>().store() else {
        return;
    };
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
            return;
        }
    };
    tray::set_overdue(
        app,
        found.iter().filter(|h| h.overdue).map(summary).collect(),
    );
    for entry in due {
        tracing::warn!(connection = entry.connection_id.0, summary = %entry.summary, "a connection is overdue for a backup");
        tauri::async_runtime::spawn(crate::notify::send(summary(&entry), body(&entry)));
    }
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
