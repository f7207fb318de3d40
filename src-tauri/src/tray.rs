//! The tray icon and its menu: the app's presence while the window is hidden.

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use dbm_engine::connections::Connections;
use dbm_engine::schedules::Schedules;

use crate::state::AppState;
pub use crate::tray_look::TrayState;

pub const TRAY_ID: &str = "main";

fn icon(state: TrayState) -> tauri::Result<Image<'static>> {
    let bytes: &[u8] = match state {
        TrayState::Idle => include_bytes!("../../icons/tray-idle.png"),
        TrayState::Running => include_bytes!("../../icons/tray-running.png"),
        TrayState::Failed => include_bytes!("../../icons/tray-failed.png"),
        TrayState::Overdue => include_bytes!("../../icons/tray-overdue.png"),
    };
    Image::from_bytes(bytes)
}

/// The menu: Back up now ▸ each saved connection, Pause schedules, Open, Quit.
fn menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let store = app.state::<AppState>().store().ok();
    let connections = store
        .as_ref()
        .and_then(|store| Connections::new(store).list().ok())
        .unwrap_or_default();
    let paused = store
        .as_ref()
        .and_then(|store| Schedules::new(store).all_paused().ok())
        .unwrap_or(false);
    // Connections overdue for a good backup come first, as the health watch last found them.
    let lines = app.state::<AppState>().tray_look().overdue.clone();
    let overdue: Vec<MenuItem<R>> = lines
        .iter()
        .enumerate()
        .map(|(index, text)| {
            MenuItem::with_id(app, format!("overdue:{index}"), text, true, None::<&str>)
        })
        .collect::<tauri::Result<_>>()?;
    let back_up = Submenu::with_id(app, "backup", "Back up now", !connections.is_empty())?;
    for connection in &connections {
        let item = MenuItem::with_id(
            app,
            format!("backup:{}", connection.id),
            &connection.name,
            true,
            None::<&str>,
        )?;
        back_up.append(&item)?;
    }
    let pause = CheckMenuItem::with_id(
        app,
        "pause-schedules",
        "Pause schedules",
        store.is_some(),
        paused,
        None::<&str>,
    )?;
    let open = MenuItem::with_id(app, "open", "Open DB Backup Manager", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, Some("CmdOrCtrl+Q"))?;
    let separator = PredefinedMenuItem::separator(app)?;
    let mut items: Vec<&dyn tauri::menu::IsMenuItem<R>> = Vec::new();
    for item in &overdue {
        items.push(item);
    }
    if !overdue.is_empty() {
        items.push(&separator);
    }
    let bottom = PredefinedMenuItem::separator(app)?;
    items.extend([
        &back_up as &dyn tauri::menu::IsMenuItem<R>,
        &pause,
        &bottom,
        &open,
        &quit,
    ]);
    Menu::with_items(app, &items)
}

/// Rebuilds the menu after connections changed.
pub fn refresh_menu<R: Runtime>(app: &AppHandle<R>) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match menu(app) {
        Ok(menu) => {
            if let Err(error) = tray.set_menu(Some(menu)) {
                tracing::warn!(%error, "could not update the tray menu");
            }
        }
        Err(error) => tracing::warn!(%error, "could not build the tray menu"),
    }
}

/// Shows the tray; `on_menu` answers a menu item's id (`tray_actions` holds what each does).
pub fn build<R: Runtime>(
    app: &AppHandle<R>,
    on_menu: impl Fn(&AppHandle<R>, &str) + Send + Sync + 'static,
) -> tauri::Result<()> {
    let menu = menu(app)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(TrayState::Idle)?)
        .tooltip("DB Backup Manager")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| on_menu(app, event.id().as_ref()))
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

/// Records what backups are doing (idle, running, last failed) and redraws the icon.
pub fn set_state<R: Runtime>(app: &AppHandle<R>, state: TrayState) {
    app.state::<AppState>().tray_look().activity = state;
    redraw(app);
}

/// Records the overdue connections' lines and redraws the icon; true when they changed (the
/// menu, which lists them, is then rebuilt).
pub fn set_overdue<R: Runtime>(app: &AppHandle<R>, overdue: Vec<String>) -> bool {
    let changed = {
        let state = app.state::<AppState>();
        let mut look = state.tray_look();
        std::mem::replace(&mut look.overdue, overdue) != look.overdue
    };
    redraw(app);
    if changed {
        refresh_menu(app);
    }
    changed
}

fn redraw<R: Runtime>(app: &AppHandle<R>) {
    let app_state = app.state::<AppState>();
    let state = app_state.tray_look().shown();
    let (Some(tray), Ok(icon)) = (app.tray_by_id(TRAY_ID), icon(state)) else {
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
