//! The app's scheduler: started at launch when no `dbm daemon` holds the data dir's scheduler
//! lock, otherwise retried every half minute so the app takes over when the daemon stops.
//! Its runs report like any backup (events, tray, notifications), plus a schedules event.

use std::sync::Arc;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use dbm_engine::backups::{Backup, Progress};
use dbm_engine::model::{Code, Problem, ScheduleId};
use dbm_engine::schedules::{
    BackupLauncher, MissedRun, Proof, RunReporter, Schedule, Scheduler, SchedulerLock,
    SchedulerObserver, SystemClock,
};

use crate::events::{self, publish, AppEvent, NotifySettings, SchedulesEvent, TauriProgress};
use crate::state::{AppState, SchedulerRun};

/// How often the app tries again for a scheduler lock another process holds.
const TAKE_OVER_EVERY: Duration = Duration::from_secs(30);

/// Schedules changed in the app: tell the scheduler (if it runs here), the UI and the tray.
pub fn changed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(run) = app.state::<AppState>().scheduler_slot().as_ref() {
        run.handle.schedules_changed();
    }
    publish(app, AppEvent::Schedules(SchedulesEvent::Changed));
}

/// Starts the scheduler, or keeps trying while another process runs it.
pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            match try_start(&app) {
                Ok(()) => return,
                Err(problem) => {
                    let state = app.state::<AppState>();
                    let first = state.set_scheduler_note(Some(problem.message.clone()));
                    if first {
                        tracing::info!(%problem, "the scheduler runs elsewhere; the app will take over when it stops");
                    }
                    if problem.code != Code::SchedulerAlreadyRunning {
                        return;
                    }
                }
            }
            tokio::time::sleep(TAKE_OVER_EVERY).await;
        }
    });
}

fn try_start<R: Runtime>(app: &AppHandle<R>) -> Result<(), Problem> {
    let state = app.state::<AppState>();
    let store = state.store().map_err(|error| {
        Problem::new(
            Code::StoreUnusable,
            error.message,
            "Fix the app's database first.",
        )
    })?;
    let lock = SchedulerLock::acquire(&state.data_dir, "the DB Backup Manager app")?;
    // Copies that were waiting, or cut short when the last process stopped, are made now.
    let resuming = store.clone();
    let told = app.clone();
    tauri::async_runtime::spawn(async move {
        match dbm_engine::library::copies::resume(resuming).await {
            Ok(0) => {}
            Ok(made) => {
                tracing::info!(made, "resumed copies");
                publish(&told, AppEvent::Schedules(SchedulesEvent::Changed));
            }
            Err(problem) => tracing::warn!(%problem, "copies could not be resumed"),
        }
    });
    let reporter = Arc::new(AppReporter { app: app.clone() });
    let launcher = BackupLauncher::new(store.clone(), state.coordinator.clone(), reporter);
    let handle = Scheduler {
        store,
        clock: Arc::new(SystemClock),
        launcher: launcher.clone(),
        observer: Arc::new(AppObserver { app: app.clone() }),
    }
    .spawn();
    state.set_scheduler_note(None);
    *state.scheduler_slot() = Some(SchedulerRun {
        handle,
        _lock: lock,
        _launcher: launcher,
    });
    publish(app, AppEvent::Schedules(SchedulesEvent::Changed));
    Ok(())
}

struct AppReporter<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> RunReporter for AppReporter<R> {
    fn progress(&self, _schedule: &Schedule) -> Arc<dyn Progress> {
        Arc::new(TauriProgress {
            app: self.app.clone(),
        })
    }

    fn finished(&self, schedule: &Schedule, outcome: &Result<Backup, Problem>) {
        let (name, notify) = match self.app.state::<AppState>().store() {
            Ok(store) => events::notice_for(&store, schedule.connection_id, &schedule.name),
            Err(_) => (schedule.name.clone(), NotifySettings::default()),
        };
        match outcome {
            Ok(backup) => events::finished(&self.app, backup, &name, notify),
            Err(problem) => {
                tracing::warn!(schedule = schedule.id.0, %problem, "a scheduled backup could not start");
                if notify.on_failure {
                    tauri::async_runtime::spawn(crate::notify::send(
                        format!("Scheduled backup of {name} could not start"),
                        problem.to_string(),
                    ));
                }
            }
        }
        // The schedule's last status and error changed.
        publish(&self.app, AppEvent::Schedules(SchedulesEvent::Changed));
    }

    /// A failed copy to a storage location is told like a failed backup.
    fn copy_failed(&self, schedule: &Schedule, backup: &Backup, location: &str, problem: &Problem) {
        let (name, notify) = match self.app.state::<AppState>().store() {
            Ok(store) => events::notice_for(&store, schedule.connection_id, &schedule.name),
            Err(_) => (schedule.name.clone(), NotifySettings::default()),
        };
        tracing::warn!(schedule = schedule.id.0, backup = backup.id.0, location, %problem, "a copy failed");
        if notify.on_failure {
            tauri::async_runtime::spawn(crate::notify::send(
                format!("{name}: backup {} was not copied to {location}", backup.id),
                format!("{} {}", problem.message, problem.fix),
            ));
        }
        publish(
            &self.app,
            AppEvent::Copy(events::CopyEvent::Changed {
                backup_id: backup.id,
            }),
        );
    }

    /// A failed proof is told like a failed backup; either way the Dashboard's state changes.
    fn proved(&self, schedule: &Schedule, proof: &Result<Proof, Problem>) {
        let (name, notify) = match self.app.state::<AppState>().store() {
            Ok(store) => events::notice_for(&store, schedule.connection_id, &schedule.name),
            Err(_) => (schedule.name.clone(), NotifySettings::default()),
        };
        let failure = match proof {
            Ok(proof) if proof.ok == Some(true) => None,
            Ok(proof) => Some(proof.error.clone().unwrap_or_default()),
            Err(problem) => Some(problem.to_string()),
        };
        if let Some(why) = failure {
            tracing::warn!(schedule = schedule.id.0, %why, "a scheduled proof failed");
            if notify.on_failure {
                tauri::async_runtime::spawn(crate::notify::send(
                    format!("{name}: the newest backup is not proven restorable"),
                    why,
                ));
            }
        }
        publish(&self.app, AppEvent::Schedules(SchedulesEvent::Changed));
        crate::health::refresh(&self.app);
    }
}

struct AppObserver<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> SchedulerObserver for AppObserver<R> {
    fn next_runs_changed(&self, schedules: &[ScheduleId]) {
        publish(
            &self.app,
            AppEvent::Schedules(SchedulesEvent::NextRunUpdated {
                schedule_ids: schedules.to_vec(),
            }),
        );
    }

    fn missed(&self, missed: &MissedRun) {
        publish(
            &self.app,
            AppEvent::Schedules(SchedulesEvent::Missed {
                missed: missed.clone(),
            }),
        );
    }
}
