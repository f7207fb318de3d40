//! The scheduler: one task that holds every active schedule's next fire time, sleeps until the
//! earliest (or until told that schedules changed), fires what is due and writes the next
//! times back. Sleeps are short (`MAX_SLEEP`) and the wall clock is re-read after each, so a
//! laptop that slept notices on waking; runs missed while away are caught up once within the
//! grace window, older ones recorded as missed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::cron::CronSchedule;
use super::model::{MissReason, MissedRun, Schedule};
use super::repository;
use super::Clock;

use crate::model::{Problem, ScheduleId, Trigger};
use crate::settings;
use crate::store::Store;
use crate::time::to_text;

/// The longest the scheduler sleeps before re-reading the wall clock and looking for changes
/// other processes made (`dbm schedule …` beside the app).
pub const MAX_SLEEP: Duration = Duration::from_secs(5);

/// A due time noticed this late or less runs as a normal scheduled run; later than this, the
/// app was closed or asleep and the catch-up rules apply.
pub const ON_TIME: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Upper bound on due times counted for one missed stretch (a per-second schedule closed for a
/// month): beyond it the count says "at least".
const MAX_COUNTED: u32 = 1_000_000;

/// A due run the scheduler hands over.
#[derive(Debug, Clone)]
pub struct Fire {
    pub schedule: Schedule,
    /// `Schedule`, or `CatchUp` for a run missed while away.
    pub trigger: Trigger,
    pub due_at: DateTime<Utc>,
}

/// What became of a fire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    Started,
    /// Not started, and why (the connection is already being backed up).
    Busy(String),
}

/// Starts the backups the scheduler fires; must not block (spawn the work).
pub trait Launcher: Send + Sync + 'static {
    fn launch(&self, fire: Fire) -> Launch;
    /// Looked at each tick for every active schedule that verifies on a schedule: starts its
    /// proof when one is due and the connection is quiet (must not block either).
    fn prove(&self, schedule: &Schedule, now: DateTime<Utc>);
}

/// Told when next run times change or runs are missed (the app turns these into events).
pub trait SchedulerObserver: Send + Sync + 'static {
    fn next_runs_changed(&self, _schedules: &[ScheduleId]) {}
    fn missed(&self, _missed: &MissedRun) {}
}

pub struct NoObserver;
impl SchedulerObserver for NoObserver {}

/// Where the scheduler is, for tests that move a test clock and wait for it to keep up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// Ticks done so far.
    pub ticks: u64,
    /// The instant the last tick processed.
    pub processed_at: DateTime<Utc>,
    /// Nothing is due before this instant (the end of the current sleep).
    pub idle_until: DateTime<Utc>,
}

pub struct Scheduler {
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub launcher: Arc<dyn Launcher>,
    pub observer: Arc<dyn SchedulerObserver>,
}

/// A running scheduler: tell it about changes, watch it, stop it.
pub struct SchedulerHandle {
    wake: Arc<Notify>,
    stop: CancellationToken,
    settled: watch::Receiver<Option<Settled>>,
    task: JoinHandle<()>,
}

impl SchedulerHandle {
    /// Schedules or the pause-all setting changed in this process: look again now.
    pub fn schedules_changed(&self) {
        self.wake.notify_one();
    }

    /// Stops the task (backups it started go on: stop those through their coordinator).
    pub async fn stop(self) {
        self.stop.cancel();
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "the scheduler task ended badly");
        }
    }

    pub fn settled(&self) -> Option<Settled> {
        *self.settled.borrow()
    }

    /// Waits until every due time up to `instant` has been handled.
    pub async fn caught_up(&mut self, instant: DateTime<Utc>) {
        let _ = self
            .settled
            .wait_for(|s| s.is_some_and(|s| s.processed_at >= instant || s.idle_until > instant))
            .await;
    }

    /// Waits for a tick after the ones done so far (after `schedules_changed`).
    pub async fn next_tick(&mut self) {
        let done = self.settled().map_or(0, |s| s.ticks);
        let _ = self
            .settled
            .wait_for(|s| s.is_some_and(|s| s.ticks > done))
            .await;
    }
}

struct Entry {
    schedule: Schedule,
    cron: CronSchedule,
    next: DateTime<Utc>,
}

/// The scheduler's memory between ticks.
struct State {
    entries: HashMap<ScheduleId, Entry>,
    paused: bool,
    grace: chrono::TimeDelta,
    data_version: Option<i64>,
    reload: bool,
}

/// One schedule's bookkeeping after a tick.
struct Update {
    id: ScheduleId,
    ran_at: Option<DateTime<Utc>>,
    next: Option<DateTime<Utc>>,
}

impl Scheduler {
    pub fn spawn(self) -> SchedulerHandle {
        let wake = Arc::new(Notify::new());
        let stop = CancellationToken::new();
        let (settled_tx, settled) = watch::channel(None);
        let task = tokio::spawn(self.run(wake.clone(), stop.clone(), settled_tx));
        SchedulerHandle {
            wake,
            stop,
            settled,
            task,
        }
    }

    async fn run(
        self,
        wake: Arc<Notify>,
        stop: CancellationToken,
        settled: watch::Sender<Option<Settled>>,
    ) {
        let this = Arc::new(self);
        let mut state = State {
            entries: HashMap::new(),
            paused: false,
            grace: chrono::TimeDelta::hours(i64::from(settings::DEFAULT_CATCH_UP_GRACE_HOURS)),
            data_version: None,
            reload: true,
        };
        let mut ticks = 0u64;
        tracing::info!("scheduler started");
        while !stop.is_cancelled() {
            let now = this.clock.now();
            let worker = this.clone();
            let ticked = tokio::task::spawn_blocking(move || {
                let result = worker.tick(&mut state, now);
                (state, result)
            })
            .await;
            let earliest = match ticked {
                Ok((returned, result)) => {
                    state = returned;
                    result.unwrap_or_else(|problem| {
                        // A locked or unreadable database: try again after a sleep.
                        tracing::warn!(%problem, "the scheduler could not read its schedules");
                        state.reload = true;
                        None
                    })
                }
                Err(error) => {
                    tracing::error!(%error, "the scheduler's tick panicked; stopping");
                    return;
                }
            };
            let wait = match earliest {
                // Past due (a slow tick): go round again at once.
                Some(next) => (next - now).to_std().unwrap_or(Duration::ZERO),
                None => MAX_SLEEP,
            }
            .min(MAX_SLEEP);
            let deadline =
                now + chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::zero());
            ticks += 1;
            settled.send_replace(Some(Settled {
                ticks,
                processed_at: now,
                idle_until: deadline,
            }));
            tokio::select! {
                () = this.clock.sleep_until(deadline) => {}
                () = wake.notified() => state.reload = true,
                () = stop.cancelled() => {}
            }
        }
        tracing::info!("scheduler stopped");
    }

    /// Handles everything due at `now`; answers the earliest next fire time.
    fn tick(
        &self,
        state: &mut State,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, Problem> {
        let version = self.data_version()?;
        if state.reload || state.data_version != Some(version) {
            self.reload(state, now)?;
            state.data_version = Some(version);
            state.reload = false;
        }
        let mut updates = Vec::new();
        let mut missed = Vec::new();
        let mut finished = Vec::new();
        for entry in state.entries.values_mut() {
            if entry.next > now {
                continue;
            }
            let next = entry.cron.next_after(now);
            let ran_at = if state.paused {
                None
            } else {
                self.handle_due(entry, now, state.grace, &mut missed)
            };
            match next {
                Some(next) => entry.next = next,
                None => finished.push(entry.schedule.id),
            }
            updates.push(Update {
                id: entry.schedule.id,
                ran_at,
                next,
            });
        }
        if !state.paused {
            for entry in state.entries.values() {
                if entry.schedule.verify_every_seconds.is_some() {
                    self.launcher.prove(&entry.schedule, now);
                }
            }
        }
        // A pattern with no more runs (it had a last date): nothing more to schedule.
        for id in finished {
            state.entries.remove(&id);
        }
        if !updates.is_empty() || !missed.is_empty() {
            self.write(&updates, &missed)?;
            let ids: Vec<ScheduleId> = updates.iter().map(|u| u.id).collect();
            self.observer.next_runs_changed(&ids);
            for miss in &missed {
                self.observer.missed(miss);
            }
        }
        Ok(state.entries.values().map(|e| e.next).min())
    }

    /// A due entry: fire it, catch it up, or record it missed. Answers when it ran.
    fn handle_due(
        &self,
        entry: &Entry,
        now: DateTime<Utc>,
        grace: chrono::TimeDelta,
        missed: &mut Vec<MissedRun>,
    ) -> Option<DateTime<Utc>> {
        let (trigger, due_at) = if now - entry.next <= ON_TIME {
            (Trigger::Schedule, entry.next)
        } else {
            // Away (closed, asleep): every due time since, split at the grace window.
            let oldest_caught_up = now - grace;
            let mut old: Option<(DateTime<Utc>, DateTime<Utc>, u32)> = None;
            let mut recent = None;
            let mut due = Some(entry.next);
            let mut counted = 0u32;
            while let Some(at) = due.filter(|at| *at <= now) {
                if at < oldest_caught_up {
                    old = Some(match old {
                        None => (at, at, 1),
                        Some((first, _, count)) => (first, at, count + 1),
                    });
                } else {
                    recent = Some(at);
                }
                counted += 1;
                if counted >= MAX_COUNTED {
                    break;
                }
                due = entry.cron.next_after(at);
            }
            if let Some((first, last, count)) = old {
                tracing::info!(
                    schedule = entry.schedule.id.0,
                    count,
                    "runs missed while away"
                );
                missed.push(MissedRun {
                    schedule_id: entry.schedule.id,
                    reason: MissReason::Missed,
                    first_due_at: to_text(first),
                    last_due_at: to_text(last),
                    count,
                    detail: Some(format!(
                        "Due while the app was closed or asleep, more than {} hours before it came back.",
                        grace.num_hours()
                    )),
                    recorded_at: to_text(now),
                });
            }
            (Trigger::CatchUp, recent?)
        };
        let fire = Fire {
            schedule: entry.schedule.clone(),
            trigger,
            due_at,
        };
        match self.launcher.launch(fire) {
            Launch::Started => {
                tracing::info!(
                    schedule = entry.schedule.id.0,
                    trigger = trigger.as_str(),
                    due = %due_at,
                    "scheduled backup started"
                );
                Some(now)
            }
            Launch::Busy(why) => {
                tracing::info!(schedule = entry.schedule.id.0, %why, "scheduled backup skipped");
                missed.push(MissedRun {
                    schedule_id: entry.schedule.id,
                    reason: MissReason::Busy,
                    first_due_at: to_text(due_at),
                    last_due_at: to_text(due_at),
                    count: 1,
                    detail: Some(why),
                    recorded_at: to_text(now),
                });
                None
            }
        }
    }

    /// Reads the active schedules and the settings that shape firing.
    fn reload(&self, state: &mut State, now: DateTime<Utc>) -> Result<(), Problem> {
        state.paused = settings::schedules_paused(&self.store)?;
        state.grace = settings::catch_up_grace(&self.store)?;
        let schedules = repository::list_active(&self.store.connection())?;
        let mut entries = HashMap::with_capacity(schedules.len());
        let mut fill_in = Vec::new();
        for (schedule, parsed) in schedules {
            let cron = match parsed {
                Ok(cron) => cron,
                Err(problem) => {
                    tracing::warn!(schedule = schedule.id.0, %problem, "schedule skipped");
                    continue;
                }
            };
            let stored = schedule
                .next_run_at
                .as_deref()
                .and_then(crate::time::from_text);
            let next = match stored {
                Some(next) => next,
                None => match cron.next_after(now) {
                    Some(next) => {
                        fill_in.push(Update {
                            id: schedule.id,
                            ran_at: None,
                            next: Some(next),
                        });
                        next
                    }
                    None => continue,
                },
            };
            entries.insert(
                schedule.id,
                Entry {
                    schedule,
                    cron,
                    next,
                },
            );
        }
        if !fill_in.is_empty() {
            self.write(&fill_in, &[])?;
        }
        state.entries = entries;
        Ok(())
    }

    fn write(&self, updates: &[Update], missed: &[MissedRun]) -> Result<(), Problem> {
        let mut sql = self.store.connection();
        let tx = sql.transaction()?;
        for update in updates {
            repository::set_times(&tx, update.id, update.ran_at, update.next)?;
        }
        for miss in missed {
            repository::insert_missed(&tx, miss)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Changes when another process commits to the database.
    fn data_version(&self) -> Result<i64, Problem> {
        Ok(self
            .store
            .connection()
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }
}
