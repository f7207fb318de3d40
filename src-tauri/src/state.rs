//! What the shell keeps for the app's lifetime.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use dbm_engine::backups::Coordinator;
use dbm_engine::schedules::{BackupLauncher, SchedulerHandle, SchedulerLock};
use dbm_engine::store::{Store, StoreError};
use tokio_util::sync::CancellationToken;

use crate::error::AppError;
use crate::tray_look::{TrayLook, TrayState};

/// The engine's state as the commands see it. The store may have failed to open: the app
/// still starts, and the Dashboard says why.
pub struct AppState {
    pub data_dir: PathBuf,
    pub store: Result<Arc<Store>, StoreError>,
    pub coordinator: Arc<Coordinator>,
    scheduler: Mutex<Option<SchedulerRun>>,
    /// Why the scheduler does not run in the app (another process has it), if so.
    scheduler_note: Mutex<Option<String>>,
    /// The restore in progress (one at a time from the window), to cancel.
    running_restore: Mutex<Option<CancellationToken>>,
    tray_look: Mutex<TrayLook>,
}

/// The scheduler while it runs in the app, with the lock that makes it the only one.
pub struct SchedulerRun {
    pub handle: SchedulerHandle,
    pub _lock: SchedulerLock,
    pub _launcher: Arc<BackupLauncher>,
}

impl AppState {
    /// Opens the store in the data dir (`DBM_DATA_DIR` or the platform's).
    pub fn open() -> AppState {
        let data_dir =
            dbm_engine::paths::default_data_dir().unwrap_or_else(|| PathBuf::from("dbm-data"));
        let store = Store::open_in(&data_dir).map(Arc::new);
        if let Err(error) = &store {
            tracing::error!(code = %error.code(), %error, "the app's database cannot be used");
        }
        AppState {
            data_dir,
            store,
            coordinator: Arc::new(Coordinator::default()),
            scheduler: Mutex::new(None),
            scheduler_note: Mutex::new(None),
            running_restore: Mutex::new(None),
            tray_look: Mutex::new(TrayLook {
                activity: TrayState::Idle,
                overdue: Vec::new(),
            }),
        }
    }

    /// The store, or the reason it cannot be used, for commands that need it.
    pub fn store(&self) -> Result<Arc<Store>, AppError> {
        self.store.as_ref().map(Arc::clone).map_err(AppError::from)
    }

    pub fn tray_look(&self) -> MutexGuard<'_, TrayLook> {
        self.tray_look.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The running restore's cancel token, if one runs.
    pub fn running_restore(&self) -> MutexGuard<'_, Option<CancellationToken>> {
        self.running_restore
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    pub fn scheduler_slot(&self) -> MutexGuard<'_, Option<SchedulerRun>> {
        self.scheduler.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn scheduler_note(&self) -> Option<String> {
        self.scheduler_note
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sets the note; true when it changed.
    pub fn set_scheduler_note(&self, note: Option<String>) -> bool {
        let mut current = self
            .scheduler_note
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let changed = *current != note;
        *current = note;
        changed
    }
}
