//! What watches a run while pg_dump writes: the stall watch (a quiet run explained, then ended
//! past the stall limit) and the hard time limit (counted from the run's start). Both end the
//! run through the token they are given (a child of the run's, so the user's cancel still
//! reaches pg_dump), and `finish` says which, as the run's error.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::progress::Progress;
use super::stall;
use crate::model::{BackupId, Code, Problem};
use crate::pg::ConnectTarget;
use crate::time::human_duration;

/// The watchers of one run, started together and ended together.
pub(super) struct Guards {
    watchdog: JoinHandle<()>,
    deadline: Option<JoinHandle<()>>,
    stalled: stall::Stalled,
    timed_out: Arc<AtomicBool>,
    stall_after: Duration,
    time_limit: Option<Duration>,
}

/// What a run's guards need to know.
pub(super) struct Watched<'a> {
    pub id: BackupId,
    pub target: &'a ConnectTarget,
    pub progress: Arc<dyn Progress>,
    pub started: Instant,
    pub stall_after: Duration,
    pub time_limit: Option<Duration>,
}

impl Guards {
    /// Starts the stall watch over `seen` and the time limit; both cancel `cancel`.
    pub fn start(run: Watched<'_>, seen: Arc<stall::Watch>, cancel: &CancellationToken) -> Guards {
        let stalled = stall::Stalled::default();
        let watchdog = tokio::spawn(stall::watch(
            seen,
            run.target.clone(),
            run.stall_after,
            run.progress.clone(),
            run.id,
            cancel.clone(),
            stalled.clone(),
        ));
        let timed_out = Arc::new(AtomicBool::new(false));
        let deadline = run.time_limit.map(|limit| {
            let (timed_out, cancel, at) = (timed_out.clone(), cancel.clone(), run.started + limit);
            tokio::spawn(async move {
                tokio::time::sleep_until(at.into()).await;
                timed_out.store(true, Ordering::SeqCst);
                cancel.cancel();
            })
        });
        Guards {
            watchdog,
            deadline,
            stalled,
            timed_out,
            stall_after: run.stall_after,
            time_limit: run.time_limit,
        }
    }

    /// Stops watching; answers why the run was ended, when a guard ended it.
    pub fn finish(self) -> Option<Problem> {
        self.watchdog.abort();
        if let Some(deadline) = &self.deadline {
            deadline.abort();
        }
        if let (true, Some(limit)) = (self.timed_out.load(Ordering::SeqCst), self.time_limit) {
            return Some(Problem::new(
                Code::BackupTimeLimit,
                format!(
                    "The backup was stopped at its time limit of {}.",
                    human_duration(limit.as_secs())
                ),
                "Find out why it takes this long (a lock, a slow server, more data), or give the schedule a longer time limit.",
            ));
        }
        let why = self
            .stalled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()?;
        Some(Problem::new(
            Code::BackupStalled,
            format!(
                "The backup was stopped after {} without data: {why}.",
                human_duration(self.stall_after.as_secs())
            ),
            "End what blocks it (or wait for it), then back up again; a longer stall limit waits longer.",
        ))
    }
}
