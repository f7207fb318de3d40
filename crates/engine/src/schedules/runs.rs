//! A schedule's backups: started by the scheduler (never a second one for a busy connection)
//! or by "run now", each recorded on its schedule when it ends.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio_util::task::TaskTracker;

use super::model::Schedule;
use super::repository;
use super::scheduler::{Fire, Launch, Launcher};
use crate::backups::{run_lock, Backup, BackupRequest, Coordinator, Progress};
use crate::blocking::run_blocking;

use crate::library::recovery;
use crate::model::{BackupStatus, ConnectionId, Problem, Trigger};
use crate::store::Store;

/// What the shell or the CLI does around a schedule's run: its progress, and its end.
pub trait RunReporter: Send + Sync + 'static {
    fn progress(&self, schedule: &Schedule) -> Arc<dyn Progress>;
    fn finished(&self, schedule: &Schedule, outcome: &Result<Backup, Problem>);
}

/// Runs one backup of the schedule now (waiting for the connection's turn), and records how
/// it ended on the schedule.
pub async fn run_schedule(
    store: Arc<Store>,
    coordinator: &Coordinator,
    schedule: Schedule,
    trigger: Trigger,
    progress: Arc<dyn Progress>,
) -> Result<Backup, Problem> {
    let request = BackupRequest {
        connection: schedule.connection_id,
        options: schedule.dump_options(),
        trigger,
        schedule: Some(schedule.id),
        engine: None,
        stall_after: None,
    };
    let outcome = coordinator.run(store.clone(), request, progress).await;
    let (backup, status, error) = match &outcome {
        Ok(backup) => (Some(backup.id), backup.status, backup.error_message.clone()),
        Err(problem) => (None, BackupStatus::Failed, Some(problem.to_string())),
    };
    let id = schedule.id;
    let recorded = run_blocking(move || {
        repository::set_outcome(&store.connection(), id, backup, status, error.as_deref())?;
        // Retention runs after each completed run: a failed one never costs a good backup.
        if status == BackupStatus::Completed {
            super::retention::apply(&store, id, chrono::Utc::now())?;
        }
        Ok(())
    })
    .await;
    if let Err(problem) = recorded {
        tracing::warn!(schedule = id.0, %problem, "could not record the run on its schedule");
    }
    outcome
}

/// The scheduler's launcher: a backup per fire through the coordinator, unless the connection
/// is already being backed up (in this process or another), in which case the fire is skipped
/// and recorded: queueing it would pile runs up behind a slow one.
pub struct BackupLauncher {
    store: Arc<Store>,
    coordinator: Arc<Coordinator>,
    reporter: Arc<dyn RunReporter>,
    in_flight: Arc<Mutex<HashSet<ConnectionId>>>,
    tasks: TaskTracker,
}

impl BackupLauncher {
    pub fn new(
        store: Arc<Store>,
        coordinator: Arc<Coordinator>,
        reporter: Arc<dyn RunReporter>,
    ) -> Arc<BackupLauncher> {
        Arc::new(BackupLauncher {
            store,
            coordinator,
            reporter,
            in_flight: Arc::default(),
            tasks: TaskTracker::new(),
        })
    }

    /// Why a backup of `connection` cannot start now, if it cannot.
    fn busy(&self, connection: ConnectionId) -> Option<String> {
        let launched = self
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&connection);
        if launched || self.coordinator.is_busy(connection) {
            return Some("A backup of this connection was already running.".into());
        }
        let running =
            repository::connection_has_running_backup(&self.store.connection(), connection);
        match running {
            Ok(Some(backup)) => {
                let data_dir = self
                    .store
                    .path()
                    .parent()
                    .unwrap_or(std::path::Path::new("."));
                if run_lock::is_alive(data_dir, backup) {
                    return Some(format!(
                        "Backup #{backup} of this connection was already running (started elsewhere)."
                    ));
                }
                // Left "running" by a process that died (a `dbm backup run` killed while the
                // app runs): tidy it up now rather than skip this schedule until the next start.
                if let Err(problem) = recovery::settle_dead_run(&self.store, backup) {
                    tracing::warn!(%problem, "could not settle a dead run");
                }
                // The rest (its partial, its container, a finished file to check) in the background.
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    let store = self.store.clone();
                    runtime.spawn(async move {
                        if let Err(problem) = recovery::recover(&store).await {
                            tracing::warn!(%problem, "could not clean up after a dead run");
                        }
                    });
                }
                None
            }
            Ok(None) => None,
            Err(problem) => {
                tracing::warn!(%problem, "could not check for a running backup");
                None
            }
        }
    }

    /// Waits for the runs it started (after the coordinator was shut down, they end quickly).
    pub async fn wait(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}

impl Launcher for BackupLauncher {
    fn launch(&self, fire: Fire) -> Launch {
        let connection = fire.schedule.connection_id;
        if let Some(why) = self.busy(connection) {
            return Launch::Busy(why);
        }
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(connection);
        let store = self.store.clone();
        let coordinator = self.coordinator.clone();
        let reporter = self.reporter.clone();
        let in_flight = self.in_flight.clone();
        self.tasks.spawn(async move {
            let progress = reporter.progress(&fire.schedule);
            let outcome = run_schedule(
                store,
                &coordinator,
                fire.schedule.clone(),
                fire.trigger,
                progress,
            )
            .await;
            in_flight
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&connection);
            reporter.finished(&fire.schedule, &outcome);
        });
        Launch::Started
    }
}
