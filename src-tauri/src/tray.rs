//! The tray icon and its menu: the app's presence while the window is hidden.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

pub const TRAY_ID: &str = "main";

/// The tray's look for each state of the app.
pub enum TrayState {
    Idle,
    Running,
    Failed,
}

impl TrayState {
    fn icon(&self) -> tauri::Result<Image<'static>> {
        let bytes: &[u8] = match self {
            TrayState::Idle => include_bytes!("../../icons/tray-idle.png"),
            TrayState::Running => include_bytes!("../../icons/tray-running.png"),
            TrayState::Failed => include_bytes!("../../icons/tray-failed.png"),
        };
        Image::from_bytes(bytes)
    }
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open DB Backup Manager", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, Some("CmdOrCtrl+Q"))?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(TrayState::Idle.icon()?)
        .tooltip("DB Backup Manager")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    Ok(())
}

/// Shows idle / running / last failed in the tray icon.
pub fn set_state<R: Runtime>(app: &AppHandle<R>, state: TrayState) {
    let (Some(tray), Ok(icon)) = (app.tray_by_id(TRAY_ID), state.icon()) else {
        return;
    };
    if let Err(error) = tray.set_icon(Some(icon)) {
        tracing::warn!(%error, "could not change the tray icon");
    }
}

/// Brings the main window back from the tray (or from behind other windows).
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
