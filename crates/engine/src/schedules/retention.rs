//! Retention per schedule: keep the last N completed backups and/or those younger than D days
//! (a backup either rule keeps is kept), and always the newest completed one, so a row of
//! failures never deletes the last good backup. Only backups with files are counted and
//! deleted (completed ones, and partial server sets, each as a whole); failed runs have no
//! file and stay as history.

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
    // The newest completed backup always stays (a newer partial set never replaces it).
    let newest_completed = completed
        .iter()
        .position(|b| b.status == BackupStatus::Completed);
    completed
        .iter()
        .enumerate()
        .filter(|(index, backup)| {
            let newest = Some(*index) == newest_completed;
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
    // Partial sets hold files too: they count, and go, like completed backups.
    let mut found = Vec::new();
    for status in [BackupStatus::Completed, BackupStatus::Partial] {
        let filter = BackupFilter {
            schedule: Some(schedule),
            status: Some(status),
            ..Default::default()
        };
        found.extend(repository::list(&store.connection(), &filter, u32::MAX, 0)?);
    }
    // Backups kept only in storage locations are theirs to prune (per-location retention).
    found.retain(|b| b.local_removed_at.is_none());
    found.sort_by(|a, b| (&b.started_at, b.id.0).cmp(&(&a.started_at, a.id.0)));
    Ok(found)
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
        // A backup with copies elsewhere loses only its local file: its record stays for them.
        let copied = crate::storage::Storage::new(store)
            .copies_of(backup.id)?
            .iter()
            .any(|c| c.state == crate::storage::CopyState::Copied);
        if copied {
            match crate::library::copies::remove_local_file(store, backup) {
                Ok(()) => deleted.push(Deleted {
                    id: backup.id,
                    file_removed: true,
                    note: Some("Its copies in storage locations stay.".into()),
                }),
                Err(problem) => {
                    tracing::warn!(schedule = schedule.0, backup = backup.id.0, %problem, "retention could not remove a local file");
                }
            }
            continue;
        }
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
