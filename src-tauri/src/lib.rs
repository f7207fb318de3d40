//! The desktop shell: opens the engine's state, registers commands, keeps a tray icon, and
//! hides to the tray instead of quitting when the window closes.

mod backup_now;
pub mod bindings;
pub(crate) mod commands;
mod error;
mod events;
mod health;
pub mod notify;
mod scheduling;
mod state;
mod tray;
mod tray_actions;
mod tray_look;

use tauri::{Manager, WindowEvent};

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DBM_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();

    let result = tauri::Builder::default()
        // A second launch focuses the running app rather than starting a second scheduler.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tray::show_main_window(app);
        }))
        // The native save dialog of "Save a copy".
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let state = state::AppState::open();
            // Runs a crash left "running" become interrupted; their partial files go.
            if let Some(store) = state.store.as_ref().ok().cloned() {
                tauri::async_runtime::spawn(async move {
                    if let Err(problem) = dbm_engine::library::recovery::recover(&store).await {
                        tracing::warn!(%problem, "start-up recovery failed");
                    }
                });
            }
            app.manage(state);
            tray::build(app.handle(), tray_actions::on_menu)?;
            // Schedules keep running while the window is hidden in the tray.
            scheduling::start(app.handle().clone());
            health::watch(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the app (and, later, its scheduler) running in the tray.
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.label() == "main" {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                stop_backups(app);
            }
        }),
        Err(error) => {
            tracing::error!(%error, "the app stopped with an error");
            std::process::exit(1);
        }
    }
}

/// Quitting with backups running: cancel them cleanly (container stopped, partial file
/// removed, run recorded cancelled) rather than leave pg_dump writing for nobody.
fn stop_backups(app: &tauri::AppHandle) {
    let Some(state) = app.try_state::<state::AppState>() else {
        return;
    };
    state.coordinator.shut_down();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !state.coordinator.running().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
