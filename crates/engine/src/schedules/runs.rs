//! A schedule's backups: started by the scheduler (never a second one for a busy connection)
//! or by "run now", each recorded on its schedule when it ends.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio_util::task::TaskTracker;

use super::copies::CopyFailed;
use super::hooks;
use super::model::{Proof, Schedule};
use super::proof;
use super::repository;
use super::scheduler::{Fire, Launch, Launcher};
use crate::backups::{run_lock, Backup, BackupRequest, Coordinator, Progress};
use crate::blocking::run_blocking;

use crate::library::recovery;
use crate::model::{BackupStatus, ConnectionId, Problem, Trigger};
use crate::store::Store;

/// What the shell or the CLI does around a schedule's run: its progress, and its end; and a
/// proof the scheduler ran (a failed one is told like a failed backup).
pub trait RunReporter: Send + Sync + 'static {
    fn progress(&self, schedule: &Schedule) -> Arc<dyn Progress>;
    fn finished(&self, schedule: &Schedule, outcome: &Result<Backup, Problem>);
    fn proved(&self, schedule: &Schedule, proof: &Result<Proof, Problem>);
    /// A copy of the run's backup to one of the schedule's locations failed (told like a
    /// failed backup).
    fn copy_failed(&self, schedule: &Schedule, backup: &Backup, location: &str, problem: &Problem) {
        tracing::warn!(schedule = schedule.id.0, backup = backup.id.0, location, %problem, "copy failed");
    }
}

/// Runs one backup of the schedule now (waiting for the connection's turn), records how it
/// ended on the schedule, then calls its hooks (each bounded by its timeout) and keeps what
/// they answered on the backup.
pub async fn run_schedule(
    store: Arc<Store>,
    coordinator: &Coordinator,
    schedule: Schedule,
    trigger: Trigger,
    progress: Arc<dyn Progress>,
) -> Result<Backup, Problem> {
    run_schedule_telling(
        store,
        coordinator,
        schedule,
        trigger,
        progress,
        &|_, _, _| {},
    )
    .await
}

/// As `run_schedule`, telling `copy_failed` of each copy that failed (the launcher notifies).
pub async fn run_schedule_telling(
    store: Arc<Store>,
    coordinator: &Coordinator,
    schedule: Schedule,
    trigger: Trigger,
    progress: Arc<dyn Progress>,
    copy_failed: CopyFailed<'_>,
) -> Result<Backup, Problem> {
    let request = BackupRequest {
        connection: schedule.connection_id,
        options: schedule.dump_options(),
        trigger,
        schedule: Some(schedule.id),
        engine: None,
        stall_after: seconds(schedule.stall_after_seconds),
        time_limit: seconds(schedule.time_limit_seconds),
    };
    let outcome = coordinator.run(store.clone(), request, progress).await;
    let (backup, status, error) = match &outcome {
        Ok(backup) => (Some(backup.id), backup.status, backup.error_message.clone()),
        Err(problem) => (None, BackupStatus::Failed, Some(problem.to_string())),
    };
    let id = schedule.id;
    let recording = store.clone();
    let recorded = run_blocking(move || {
        let sql = recording.connection();
        repository::set_outcome(&sql, id, backup, status, error.as_deref())
    })
    .await;
    if let Err(problem) = recorded {
        tracing::warn!(schedule = id.0, %problem, "could not record the run on its schedule");
    }
    if let Ok(made) = &outcome {
        if matches!(made.status, BackupStatus::Completed | BackupStatus::Partial) {
            super::copies::copy_run(&store, &schedule, made, copy_failed).await;
        }
    }
    // Retention runs after each completed run: a failed one never costs a good backup.
    if status == BackupStatus::Completed {
        let pruning = store.clone();
        let pruned =
            run_blocking(move || super::retention::apply(&pruning, id, chrono::Utc::now())).await;
        if let Err(problem) = pruned {
            tracing::warn!(schedule = id.0, %problem, "retention could not run");
        }
        super::copies::location_retention(&store, &schedule).await;
    }
    call_hooks(store, &schedule, outcome).await
}

/// The schedule's hooks for a recorded run; their answers go on the backup.
async fn call_hooks(
    store: Arc<Store>,
    schedule: &Schedule,
    outcome: Result<Backup, Problem>,
) -> Result<Backup, Problem> {
    if schedule.hooks.is_empty() {
        return outcome;
    }
    let results = hooks::run(&schedule.hooks, &hooks::RunReport::new(schedule, &outcome)).await;
    let Ok(mut backup) = outcome else {
        return outcome;
    };
    let (id, record) = (backup.id, results.clone());
    let recorded = run_blocking(move || {
        crate::backups::repository::set_hooks(&store.connection(), id, &record)
    })
    .await;
    if let Err(problem) = recorded {
        tracing::warn!(backup = id.0, %problem, "could not record what the hooks answered");
    }
    backup.hooks = results;
    Ok(backup)
}

fn seconds(value: Option<u32>) -> Option<std::time::Duration> {
    value.map(|s| std::time::Duration::from_secs(u64::from(s)))
}

/// The scheduler's launcher: a backup per fire through the coordinator, unless the connection
/// is already being backed up (in this process or another), in which case the fire is skipped
/// and recorded: queueing it would pile runs up behind a slow one.
pub struct BackupLauncher {
    store: Arc<Store>,
    coordinator: Arc<Coordinator>,
    reporter: Arc<dyn RunReporter>,
    in_flight: Arc<Mutex<HashSet<ConnectionId>>>,
    /// Connections whose newest backup is being proved: a backup due meanwhile waits its turn.
    proving: Arc<Mutex<HashSet<ConnectionId>>>,
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
            proving: Arc::default(),
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
        if launched {
            return Some("A backup of this connection was already running.".into());
        }
        // A proof holds the connection's turn; a backup due then runs right after it.
        if self.coordinator.is_busy(connection) && !locked(&self.proving).contains(&connection) {
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

fn locked<T>(set: &Mutex<HashSet<T>>) -> std::sync::MutexGuard<'_, HashSet<T>> {
    set.lock().unwrap_or_else(|p| p.into_inner())
}

impl Launcher for BackupLauncher {
    /// Proves the schedule's newest backup when a proof is due and the connection is quiet:
    /// no backup of it running or launched here, none running in another process.
    fn prove(&self, schedule: &Schedule, now: chrono::DateTime<chrono::Utc>) {
        let connection = schedule.connection_id;
        if locked(&self.proving).contains(&connection)
            || locked(&self.in_flight).contains(&connection)
            || self.coordinator.is_busy(connection)
        {
            return;
        }
        let sql = self.store.connection();
        let quiet = repository::connection_has_running_backup(&sql, connection);
        // The scheduler's copy of the schedule predates the proofs this process recorded.
        let due = match quiet {
            Ok(None) => {
                repository::get(&sql, schedule.id).and_then(|fresh| proof::due(&sql, &fresh, now))
            }
            Ok(Some(_)) => return,
            Err(problem) => Err(problem),
        };
        drop(sql);
        let backup = match due {
            Ok(Some(backup)) => backup,
            Ok(None) => return,
            Err(problem) => {
                tracing::warn!(schedule = schedule.id.0, %problem, "could not tell whether a proof is due");
                return;
            }
        };
        locked(&self.proving).insert(connection);
        let (store, coordinator, reporter, proving) = (
            self.store.clone(),
            self.coordinator.clone(),
            self.reporter.clone(),
            self.proving.clone(),
        );
        let schedule = schedule.clone();
        self.tasks.spawn(async move {
            let outcome = match coordinator.exclusive(connection).await {
                Ok(_turn) => proof::prove(store, &schedule, backup, now).await,
                Err(problem) => Err(problem),
            };
            locked(&proving).remove(&connection);
            reporter.proved(&schedule, &outcome);
        });
    }

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
            let telling = reporter.clone();
            let schedule = fire.schedule.clone();
            let outcome = run_schedule_telling(
                store,
                &coordinator,
                fire.schedule.clone(),
                fire.trigger,
                progress,
                &move |backup, location, problem| {
                    telling.copy_failed(&schedule, backup, location, problem)
                },
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
