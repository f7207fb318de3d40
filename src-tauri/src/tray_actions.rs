//! What the tray's menu items do: open the window, back up a connection now, pause or resume
//! the schedules, quit.

use tauri::{AppHandle, Manager, Runtime};

use dbm_engine::blocking::run_blocking;
use dbm_engine::model::{ConnectionId, Trigger};
use dbm_engine::schedules::Schedules;

use crate::state::AppState;
use crate::tray::show_main_window;

/// Answers the menu item `id`.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match id {
        // An overdue connection's line opens the window (its Dashboard card says more).
        "open" => show_main_window(app),
        id if id.starts_with("overdue:") => show_main_window(app),
        "pause-schedules" => toggle_pause(app.clone()),
        "quit" => app.exit(0),
        id => {
            if let Some(connection) = id.strip_prefix("backup:").and_then(|n| n.parse().ok()) {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let started = crate::backup_now::run(
                        app,
                        ConnectionId(connection),
                        Default::default(),
                        Trigger::Tray,
                    )
                    .await;
                    if let Err(error) = started {
                        tracing::warn!(%error, "a backup from the tray could not start");
                    }
                });
            }
        }
    }
}

/// Pauses every schedule, or resumes them (from now: what fell due meanwhile is not caught up).
fn toggle_pause<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let Ok(store) = app.state::<AppState>().store() else {
            return;
        };
        let toggled = run_blocking(move || {
            let schedules = Schedules::new(&store);
            let paused = !schedules.all_paused()?;
            schedules.set_all_paused(paused)
        })
        .await;
        if let Err(problem) = toggled {
            tracing::warn!(%problem, "could not pause or resume the schedules");
        }
        crate::scheduling::changed(&app);
    });
}
