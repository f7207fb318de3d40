//! `dbm daemon`: the scheduler, headless, until SIGTERM or Ctrl-C. On stop, running backups
//! are cancelled cleanly (the container stops, the partial file goes, the run is recorded
//! cancelled) rather than waited for: a large dump could hold a shutdown for hours.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use dbm_engine::backups::{Backup, Coordinator, NoProgress, Progress};
use dbm_engine::library::recovery;
use dbm_engine::model::{BackupStatus, Problem, ScheduleId};
use dbm_engine::schedules::{
    BackupLauncher, MissedRun, Proof, RunReporter, Schedule, Scheduler, SchedulerLock,
    SchedulerObserver, SystemClock,
};
use dbm_engine::store::Store;
use tokio::signal::unix::{signal, SignalKind};

/// A line on stdout (the service's log). A closed stdout (the reader went away) is ignored:
/// println! would panic, and a daemon must not die of its log.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub async fn run(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let store = Arc::new(Store::open_in(data_dir)?);
    let _lock = SchedulerLock::acquire(data_dir, "dbm daemon")?;
    recovery::recover(&store).await?;
    // Copies that were waiting, or cut short when the last process stopped, are made now.
    let resuming = store.clone();
    tokio::spawn(async move {
        match dbm_engine::library::copies::resume(resuming).await {
            Ok(0) => {}
            Ok(made) => tracing::info!(made, "resumed copies"),
            Err(problem) => tracing::warn!(%problem, "copies could not be resumed"),
        }
    });
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;

    let coordinator = Arc::new(Coordinator::default());
    let launcher = BackupLauncher::new(store.clone(), coordinator.clone(), Arc::new(LogReporter));
    let handle = Scheduler {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        launcher: launcher.clone(),
        observer: Arc::new(LogObserver),
    }
    .spawn();
    say!(
        "dbm daemon: running the schedules of {} (pid {}); stop with SIGTERM or Ctrl-C.",
        data_dir.display(),
        std::process::id()
    );

    tokio::select! {
        _ = terminate.recv() => say!("dbm daemon: SIGTERM received, stopping."),
        _ = interrupt.recv() => say!("dbm daemon: interrupted, stopping."),
    }
    handle.stop().await;
    let running = coordinator.running().len();
    coordinator.shut_down();
    if running > 0 {
        say!("dbm daemon: cancelling {running} running backup(s).");
    }
    launcher.wait().await;
    say!("dbm daemon: stopped.");
    Ok(ExitCode::SUCCESS)
}

/// One line per scheduled run on stdout (a service's log).
struct LogReporter;

impl RunReporter for LogReporter {
    fn progress(&self, schedule: &Schedule) -> Arc<dyn Progress> {
        say!(
            "dbm daemon: schedule {} ({}) started a backup.",
            schedule.id,
            schedule.name
        );
        Arc::new(NoProgress)
    }

    fn finished(&self, schedule: &Schedule, outcome: &Result<Backup, Problem>) {
        match outcome {
            Ok(backup) if backup.status == BackupStatus::Completed => say!(
                "dbm daemon: backup {} of schedule {} completed: {} ({} bytes).",
                backup.id,
                schedule.name,
                backup.file_path.as_deref().unwrap_or("-"),
                backup.size_bytes.unwrap_or(0)
            ),
            Ok(backup) => say!(
                "dbm daemon: backup {} of schedule {} {}: {}",
                backup.id,
                schedule.name,
                backup.status.as_str(),
                backup.error_message.as_deref().unwrap_or("no message")
            ),
            Err(problem) => say!(
                "dbm daemon: schedule {} could not start a backup: {problem}",
                schedule.name
            ),
        }
        for hook in outcome.iter().flat_map(|backup| &backup.hooks) {
            if !hook.ok {
                say!(
                    "dbm daemon: schedule {}: hook {} failed: {}",
                    schedule.name,
                    hook.hook,
                    hook.detail
                );
            }
        }
    }

    fn proved(&self, schedule: &Schedule, proof: &Result<Proof, Problem>) {
        match proof {
            Ok(proof) if proof.ok == Some(true) => say!(
                "dbm daemon: schedule {}: backup {} proven restorable.",
                schedule.name,
                proof.backup_id.map_or("-".to_string(), |b| b.to_string())
            ),
            Ok(proof) => say!(
                "dbm daemon: schedule {}: backup {} NOT proven: {}",
                schedule.name,
                proof.backup_id.map_or("-".to_string(), |b| b.to_string()),
                proof.error.as_deref().unwrap_or("no message")
            ),
            Err(problem) => say!(
                "dbm daemon: schedule {}: the proof could not run: {problem}",
                schedule.name
            ),
        }
    }
}

struct LogObserver;

impl SchedulerObserver for LogObserver {
    fn next_runs_changed(&self, _schedules: &[ScheduleId]) {}

    fn missed(&self, missed: &MissedRun) {
        say!(
            "dbm daemon: schedule {}: {} run(s) not started ({}), due {} … {}: {}",
            missed.schedule_id,
            missed.count,
            missed.reason.as_str(),
            missed.first_due_at,
            missed.last_due_at,
            missed.detail.as_deref().unwrap_or("")
        );
    }
}
