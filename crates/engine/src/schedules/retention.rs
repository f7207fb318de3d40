//! Retention per schedule: keep the last N completed backups and/or those younger than D days
//! (a backup either rule keeps is kept), and always the newest completed one, so a row of
//! failures never deletes the last good backup. Only completed backups (the ones with files)
//! are counted and deleted; failed runs have no file and stay as history.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::Schedules;
use crate::backups::repository::{self, BackupFilter};
use crate::backups::Backup;
use crate::library::files::{self, Deleted};
use crate::model::{BackupStatus, Problem, ScheduleId};
use crate::store::Store;
use crate::time::from_text;

/// The rules of one schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub keep_last: Option<u32>,
    pub keep_days: Option<u32>,
}

/// Which of `completed` (newest first) the policy lets go.
pub fn expired(policy: Policy, completed: &[Backup], now: DateTime<Utc>) -> Vec<&Backup> {
    if policy.keep_last.is_none() && policy.keep_days.is_none() {
        return Vec::new();
    }
    let cutoff = policy
        .keep_days
        .map(|days| now - TimeDelta::days(i64::from(days)));
    completed
        .iter()
        .enumerate()
        .filter(|(index, backup)| {
            // The newest completed backup always stays.
            let newest = *index == 0;
            let kept_by_count = policy
                .keep_last
                .is_some_and(|n| (*index as u64) < u64::from(n));
            let kept_by_age = cutoff.is_some_and(|cutoff| {
                from_text(&backup.started_at).is_none_or(|started| started >= cutoff)
            });
            !(newest || kept_by_count || kept_by_age)
        })
        .map(|(_, backup)| backup)
        .collect()
}

/// What retention would delete (or did).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RetentionPlan {
    pub schedule_id: ScheduleId,
    pub keep_last: Option<u32>,
    pub keep_days: Option<u32>,
    /// The backups that go, newest first.
    pub delete: Vec<Backup>,
    /// How many completed backups stay.
    pub keep: u32,
}

fn completed_of(store: &Store, schedule: ScheduleId) -> Result<Vec<Backup>, Problem> {
    let filter = BackupFilter {
        schedule: Some(schedule),
        status: Some(BackupStatus::Completed),
        ..Default::default()
    };
    repository::list(&store.connection(), &filter, u32::MAX, 0)
}

/// "These 7 would be deleted": the plan, changing nothing.
pub fn preview(
    store: &Store,
    schedule: ScheduleId,
    now: DateTime<Utc>,
) -> Result<RetentionPlan, Problem> {
    let found = Schedules::new(store).get(schedule)?;
    let policy = Policy {
        keep_last: found.keep_last,
        keep_days: found.keep_days,
    };
    let completed = completed_of(store, schedule)?;
    let delete: Vec<Backup> = expired(policy, &completed, now)
        .into_iter()
        .cloned()
        .collect();
    Ok(RetentionPlan {
        schedule_id: schedule,
        keep_last: policy.keep_last,
        keep_days: policy.keep_days,
        keep: (completed.len() - delete.len()) as u32,
        delete,
    })
}

/// Applies the schedule's retention: deletes what the plan lists (file and record), logging
/// each. A file that cannot be deleted keeps its record and is reported, the rest go on.
pub fn apply(
    store: &Store,
    schedule: ScheduleId,
    now: DateTime<Utc>,
) -> Result<Vec<Deleted>, Problem> {
    let plan = preview(store, schedule, now)?;
    let mut deleted = Vec::new();
    for backup in &plan.delete {
        match files::delete(store, backup.id) {
            Ok(done) => {
                tracing::info!(
                    schedule = schedule.0,
                    backup = backup.id.0,
                    "retention deleted a backup"
                );
                deleted.push(done);
            }
            Err(problem) => {
                tracing::warn!(schedule = schedule.0, backup = backup.id.0, %problem, "retention could not delete a backup");
            }
        }
    }
    Ok(deleted)
}
