//! Schedules: cron patterns in an IANA time zone, saved with their backup options, and the
//! scheduler that runs them.

mod clock;
mod copies;
pub mod cron;
mod hook_config;
pub mod hooks;
mod lock;
mod model;
pub mod proof;
mod repository;
pub mod retention;
mod runs;
pub mod scheduler;

pub use clock::{Clock, SystemClock, TestClock};
pub use hook_config::Hooks;
pub use lock::SchedulerLock;
pub use model::{
    CopyPlan, MissReason, MissedRun, Proof, Schedule, ScheduleInput, SchedulePreview,
    DEFAULT_VERIFY_EVERY, MAX_NAME_CHARS,
};
pub use runs::{run_schedule, BackupLauncher, RunReporter};
pub use scheduler::{Launch, Launcher, NoObserver, Scheduler, SchedulerHandle, SchedulerObserver};

use chrono::{DateTime, Utc};

use crate::connections::Connections;
use crate::model::{Code, Problem, ScheduleId};
use crate::settings;
use crate::store::Store;
use cron::CronSchedule;

/// The most runs a preview lists.
pub const MAX_PREVIEW: usize = 1000;

/// The engine's schedule operations over one data dir. Changes are seen by a scheduler in
/// another process within `scheduler::MAX_SLEEP`; one in this process must be told
/// (`SchedulerHandle::schedules_changed`).
pub struct Schedules<'a> {
    store: &'a Store,
}

impl<'a> Schedules<'a> {
    pub fn new(store: &'a Store) -> Self {
        Schedules { store }
    }

    pub fn list(&self) -> Result<Vec<Schedule>, Problem> {
        repository::list(&self.store.connection())
    }

    pub fn get(&self, id: ScheduleId) -> Result<Schedule, Problem> {
        repository::get(&self.store.connection(), id)
    }

    /// By name, or by id.
    pub fn find(&self, reference: &str) -> Result<Schedule, Problem> {
        repository::find(&self.store.connection(), reference)
    }

    pub fn create(&self, input: &ScheduleInput) -> Result<Schedule, Problem> {
        self.create_at(input, Utc::now())
    }

    /// As `create`, with "now" given (tests on a test clock).
    pub fn create_at(
        &self,
        input: &ScheduleInput,
        now: DateTime<Utc>,
    ) -> Result<Schedule, Problem> {
        let valid = self.checked(input)?;
        let sql = self.store.connection();
        let id = repository::insert(&sql, &valid.input, valid.first_run(now))?;
        tracing::info!(schedule = id.0, "schedule saved");
        repository::get(&sql, id)
    }

    /// Forgets a storage location: it leaves every schedule's copy plan first (a schedule that
    /// kept no local copy keeps one again when it has no location left), then goes.
    pub fn remove_location(&self, id: crate::model::LocationId) -> Result<(), Problem> {
        for schedule in self.list()? {
            if schedule.copies.to.contains(&id) {
                let mut plan = schedule.copies.clone();
                plan.to.retain(|l| *l != id);
                if plan.to.is_empty() {
                    plan.keep_local = true;
                }
                repository::set_copy_plan(&self.store.connection(), schedule.id, &plan)?;
            }
        }
        crate::storage::Storage::new(self.store).remove(id)
    }

    /// Sets where the schedule's backups are copied (each location must exist).
    pub fn set_copy_plan(&self, id: ScheduleId, plan: &CopyPlan) -> Result<Schedule, Problem> {
        let storage = crate::storage::Storage::new(self.store);
        for location in &plan.to {
            storage.get(*location)?;
        }
        if !plan.keep_local && plan.to.is_empty() {
            return Err(Problem::new(
                Code::InvalidStorage,
                "Keeping no local copy needs at least one location to copy to.",
                "Add --copy-to LOCATION, or keep the local copy.",
            ));
        }
        let sql = self.store.connection();
        repository::set_copy_plan(&sql, id, plan)?;
        repository::get(&sql, id)
    }

    pub fn update(&self, id: ScheduleId, input: &ScheduleInput) -> Result<Schedule, Problem> {
        self.update_at(id, input, Utc::now())
    }

    /// Replaces the schedule's fields; its next run is computed afresh from `now`.
    pub fn update_at(
        &self,
        id: ScheduleId,
        input: &ScheduleInput,
        now: DateTime<Utc>,
    ) -> Result<Schedule, Problem> {
        self.get(id)?;
        let valid = self.checked(input)?;
        let sql = self.store.connection();
        repository::update(&sql, id, &valid.input, valid.first_run(now))?;
        repository::get(&sql, id)
    }

    pub fn delete(&self, id: ScheduleId) -> Result<(), Problem> {
        repository::delete(&self.store.connection(), id)?;
        tracing::info!(schedule = id.0, "schedule deleted");
        Ok(())
    }

    pub fn pause(&self, id: ScheduleId) -> Result<Schedule, Problem> {
        let sql = self.store.connection();
        repository::set_active(&sql, id, false, None)?;
        repository::get(&sql, id)
    }

    pub fn resume(&self, id: ScheduleId) -> Result<Schedule, Problem> {
        self.resume_at(id, Utc::now())
    }

    /// Active again; runs due while paused are not caught up: the next run is after `now`.
    pub fn resume_at(&self, id: ScheduleId, now: DateTime<Utc>) -> Result<Schedule, Problem> {
        let schedule = self.get(id)?;
        let cron = CronSchedule::parse(&schedule.cron, &schedule.timezone)?;
        let sql = self.store.connection();
        repository::set_active(&sql, id, true, cron.next_after(now))?;
        repository::get(&sql, id)
    }

    pub fn all_paused(&self) -> Result<bool, Problem> {
        settings::schedules_paused(self.store)
    }

    /// Pauses or resumes every schedule at once (the tray's Pause schedules). On resume, the
    /// next runs start from now: what fell due while paused is not caught up.
    pub fn set_all_paused(&self, paused: bool) -> Result<(), Problem> {
        self.set_all_paused_at(paused, Utc::now())
    }

    /// As `set_all_paused`, with "now" given.
    pub fn set_all_paused_at(&self, paused: bool, now: DateTime<Utc>) -> Result<(), Problem> {
        let mut sql = self.store.connection();
        let tx = sql.transaction()?;
        settings::upsert(&tx, settings::SCHEDULES_PAUSED, &paused.to_string())?;
        if !paused {
            for (schedule, parsed) in repository::list_active(&tx)? {
                if let Ok(cron) = parsed {
                    repository::set_times(&tx, schedule.id, None, cron.next_after(now))?;
                }
            }
        }
        tx.commit()?;
        tracing::info!(paused, "all schedules paused or resumed");
        Ok(())
    }

    /// The schedule's missed and skipped runs, newest first.
    pub fn missed(&self, id: ScheduleId, limit: u32) -> Result<Vec<MissedRun>, Problem> {
        self.get(id)?;
        repository::list_missed(&self.store.connection(), id, limit)
    }

    /// The schedule's proofs (verify by restore on a schedule), newest first.
    pub fn proofs(&self, id: ScheduleId, limit: u32) -> Result<Vec<Proof>, Problem> {
        self.get(id)?;
        proof::list(&self.store.connection(), id, limit)
    }

    /// Validates the input and its connection; an empty name becomes "<connection> <pattern>".
    fn checked(&self, input: &ScheduleInput) -> Result<model::ValidSchedule, Problem> {
        let mut valid = input.validate()?;
        let connection = Connections::new(self.store)
            .get(input.connection_id)
            .map_err(|problem| {
                if problem.code == Code::ConnectionNotFound {
                    Problem::new(
                        Code::InvalidConnection,
                        format!(
                            "Connection {} does not exist (deleted?).",
                            input.connection_id
                        ),
                        "Choose a saved connection for the schedule.",
                    )
                } else {
                    problem
                }
            })?;
        if valid.input.name.is_empty() {
            valid.input.name = format!("{} {}", connection.name, valid.input.cron);
        }
        Ok(valid)
    }
}

/// The next `count` runs of a pattern in its zone after `from` (default now), and its plain words.
pub fn preview(
    pattern: &str,
    zone: &str,
    count: usize,
    from: Option<DateTime<Utc>>,
) -> Result<SchedulePreview, Problem> {
    if count == 0 || count > MAX_PREVIEW {
        return Err(Problem::new(
            Code::InvalidCount,
            format!("{count} runs cannot be previewed."),
            format!("Ask for 1 to {MAX_PREVIEW} runs."),
        ));
    }
    let from = from.unwrap_or_else(Utc::now);
    let schedule = CronSchedule::parse(pattern, zone)?;
    Ok(SchedulePreview {
        pattern: schedule.pattern.clone(),
        timezone: schedule.zone.name().to_string(),
        description: schedule.describe(),
        runs: schedule
            .next_runs(from, count)
            .iter()
            .map(|run| run.with_timezone(&schedule.zone).to_rfc3339())
            .collect(),
    })
}
