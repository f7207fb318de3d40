//! The shell's one event path: what happened (`AppEvent`) is published through `publish`, which
//! emits it to the UI and keeps the tray (icon and menu) in step. Modules that report anything
//! (backups, the scheduler, commands) depend on this one, never on the tray or on each other.

use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};
use ts_rs::TS;

use dbm_engine::backups::{Backup, Progress};
use dbm_engine::connections::Connections;
use dbm_engine::model::{BackupId, BackupStatus, ConnectionId, ScheduleId};
use dbm_engine::schedules::MissedRun;
use dbm_engine::store::Store;

use crate::tray::{self, TrayState};

/// The event name every backup event is emitted under.
pub const BACKUP_EVENT: &str = "backup";

/// The event name of every schedules event.
pub const SCHEDULES_EVENT: &str = "schedules";
/// Copies of backups to storage locations: progress, and a copy's state changed.
pub const COPY_EVENT: &str = "copy";

/// Something the UI, the tray or both follow.
#[derive(Debug, Clone)]
pub enum AppEvent {
    Backup(BackupEvent),
    Schedules(SchedulesEvent),
    /// Connections were added, renamed or removed (the tray's "Back up now" lists them).
    ConnectionsChanged,
    Copy(CopyEvent),
}

/// What a copy to a storage location reports.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CopyEvent {
    /// Bytes stored so far (at most four a second).
    #[serde(rename_all = "camelCase")]
    Progress {
        backup_id: BackupId,
        location_id: dbm_engine::model::LocationId,
        bytes: f64,
    },
    /// A backup's copies changed (one ended, was checked, or failed).
    #[serde(rename_all = "camelCase")]
    Changed { backup_id: BackupId },
}

/// Emits `event` to the UI and updates the tray: its icon (running, failed, idle) follows
/// backups, its menu follows connections and schedules (Pause schedules).
pub fn publish<R: Runtime>(app: &AppHandle<R>, event: AppEvent) {
    match &event {
        AppEvent::Backup(BackupEvent::Started { .. }) => tray::set_state(app, TrayState::Running),
        AppEvent::Backup(BackupEvent::Finished { backup }) => tray::set_state(
            app,
            // A partial set left databases without a backup: as alarming as a failure.
            if matches!(backup.status, BackupStatus::Failed | BackupStatus::Partial) {
                TrayState::Failed
            } else {
                TrayState::Idle
            },
        ),
        AppEvent::Schedules(SchedulesEvent::Changed) | AppEvent::ConnectionsChanged => {
            tray::refresh_menu(app)
        }
        AppEvent::Backup(_) | AppEvent::Schedules(_) | AppEvent::Copy(_) => {}
    }
    let emitted = match event {
        AppEvent::Backup(event) => app.emit(BACKUP_EVENT, event),
        AppEvent::Schedules(event) => app.emit(SCHEDULES_EVENT, event),
        AppEvent::ConnectionsChanged => Ok(()),
        AppEvent::Copy(event) => app.emit(COPY_EVENT, event),
    };
    if let Err(error) = emitted {
        tracing::warn!(%error, "could not emit an event");
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SchedulesEvent {
    /// Schedules were added, changed, removed, paused or resumed, or a run of one ended.
    Changed,
    /// The scheduler moved these schedules' next run times.
    #[serde(rename_all = "camelCase")]
    NextRunUpdated { schedule_ids: Vec<ScheduleId> },
    /// Due runs that did not start.
    Missed { missed: MissedRun },
}

/// What a running backup reports.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BackupEvent {
    #[serde(rename_all = "camelCase")]
    Started {
        backup_id: BackupId,
        connection_id: ConnectionId,
    },
    #[serde(rename_all = "camelCase")]
    Stage { backup_id: BackupId, text: String },
    #[serde(rename_all = "camelCase")]
    Progress {
        backup_id: BackupId,
        bytes: f64,
        elapsed_ms: f64,
        bytes_per_second: f64,
    },
    #[serde(rename_all = "camelCase")]
    Finished { backup: Box<Backup> },
}

/// Which outcomes reach the desktop as notifications.
#[derive(Debug, Clone, Copy)]
pub struct NotifySettings {
    pub on_failure: bool,
    pub on_success: bool,
}

impl Default for NotifySettings {
    /// The settings' defaults: failures announced, successes not.
    fn default() -> Self {
        NotifySettings {
            on_failure: true,
            on_success: false,
        }
    }
}

/// How a finished run of `connection` is announced: the connection's name (or `fallback` when it
/// cannot be read) and the notification settings (their defaults when they cannot be read).
pub fn notice_for(
    store: &Store,
    connection: ConnectionId,
    fallback: &str,
) -> (String, NotifySettings) {
    let name = Connections::new(store)
        .get(connection)
        .map_or_else(|_| fallback.to_string(), |c| c.name);
    let notify = dbm_engine::settings::notify_on(store).map_or_else(
        |_| NotifySettings::default(),
        |(on_failure, on_success)| NotifySettings {
            on_failure,
            on_success,
        },
    );
    (name, notify)
}

pub struct TauriProgress<R: Runtime> {
    pub app: AppHandle<R>,
}

impl<R: Runtime> TauriProgress<R> {
    fn emit(&self, event: BackupEvent) {
        publish(&self.app, AppEvent::Backup(event));
    }
}

impl<R: Runtime> Progress for TauriProgress<R> {
    fn started(&self, backup: BackupId, connection: ConnectionId) {
        self.emit(BackupEvent::Started {
            backup_id: backup,
            connection_id: connection,
        });
    }

    fn stage(&self, backup: BackupId, text: &str) {
        self.emit(BackupEvent::Stage {
            backup_id: backup,
            text: text.to_string(),
        });
    }

    fn bytes(&self, backup: BackupId, bytes: u64, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64().max(0.001);
        self.emit(BackupEvent::Progress {
            backup_id: backup,
            bytes: bytes as f64,
            elapsed_ms: elapsed.as_secs_f64() * 1000.0,
            bytes_per_second: bytes as f64 / seconds,
        });
    }
}

/// Tells the UI, the tray and the health watch how a run ended, and the desktop when it failed (setting
/// `notify_on_failure`, default on; `notify_on_success`, default off).
pub fn finished<R: Runtime>(
    app: &AppHandle<R>,
    backup: &Backup,
    connection_name: &str,
    settings: NotifySettings,
) {
    let notice = match backup.status {
        BackupStatus::Failed if settings.on_failure => Some((
            format!("Backup of {connection_name} failed"),
            backup.error_message.clone().unwrap_or_default(),
        )),
        // A server set some of whose databases failed: those are not backed up.
        BackupStatus::Partial if settings.on_failure => Some((
            format!("Backup of {connection_name} is incomplete"),
            backup.error_message.clone().unwrap_or_default(),
        )),
        // A good backup that looks unusual is said like a failure: it may be one.
        BackupStatus::Completed if settings.on_failure && !backup.unusual.is_empty() => Some((
            format!("Backup of {connection_name} looks unusual"),
            backup.unusual.join("; "),
        )),
        BackupStatus::Completed if settings.on_success => Some((
            format!("Backup of {connection_name} completed"),
            backup.file_path.clone().unwrap_or_default(),
        )),
        _ => None,
    };
    if let Some((summary, body)) = notice {
        tauri::async_runtime::spawn(crate::notify::send(summary, body));
    }
    publish(
        app,
        AppEvent::Backup(BackupEvent::Finished {
            backup: Box::new(backup.clone()),
        }),
    );
    // Its connection may no longer be overdue (or a failure may have made it so).
    crate::health::refresh(app);
}
