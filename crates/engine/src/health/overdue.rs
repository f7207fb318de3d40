//! Overdue: a connection with a schedule (running or paused: the check is on the data, not
//! on the scheduler's memory) whose last good backup is older than its schedules allow.
//!
//! A schedule allows what its own alert says (`alert_after_seconds` after the last good
//! backup), else two of its runs: once the second run after the last good backup is due, one
//! whole run has gone by without a good backup. Counting runs, not "twice the interval",
//! keeps a weekday schedule quiet over the weekend.
//!
//! Not proven: the newest proof of any of its schedules (a verify by restore the scheduler
//! ran) failed.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::connections::Connections;
use crate::model::{ConnectionId, Problem};
use crate::schedules::cron::CronSchedule;
use crate::schedules::{Schedule, Schedules};
use crate::store::Store;
use crate::time::{from_text, human_duration, to_text};

/// One scheduled connection's protection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionHealth {
    pub connection_id: ConnectionId,
    pub connection_name: String,
    pub overdue: bool,
    /// When its last good (completed) backup finished.
    pub last_good_at: Option<String>,
    /// From when it is overdue (in the past when it is).
    pub due_by: Option<String>,
    /// The schedule that sets `due_by`.
    pub schedule_name: String,
    /// In words: "no backup for 3 days", "last good backup 2 hours ago".
    pub summary: String,
    /// The newest proof (a scheduled verify by restore) passed: when it finished.
    pub proven_at: Option<String>,
    /// The newest proof failed: why. The connection is "not proven".
    pub not_proven: Option<String>,
}

/// The last good backup of a connection: when it started and when it finished.
struct LastGood {
    started: DateTime<Utc>,
    completed: DateTime<Utc>,
}

/// Every connection with a schedule, overdue ones first, as of `now`.
pub fn check(store: &Store, now: DateTime<Utc>) -> Result<Vec<ConnectionHealth>, Problem> {
    let schedules = Schedules::new(store).list()?;
    // Schedules go with their connection: every one scheduled is saved and listed.
    let connections: Vec<(ConnectionId, String)> = Connections::new(store)
        .list()?
        .into_iter()
        .filter(|c| schedules.iter().any(|s| s.connection_id == c.id))
        .map(|c| (c.id, c.name))
        .collect();
    let mut found = Vec::new();
    for (connection, name) in connections {
        let last_good = last_good(store, connection)?;
        let own: Vec<&Schedule> = schedules
            .iter()
            .filter(|s| s.connection_id == connection)
            .collect();
        // The schedule that allows the least.
        let due = own
            .iter()
            .filter_map(|s| due_by(s, last_good.as_ref()).map(|due| (due, *s)))
            .min_by_key(|(due, _)| *due);
        let Some((due, schedule)) = due else {
            continue;
        };
        let overdue = now >= due;
        let proof = own
            .iter()
            .filter_map(|s| s.last_proof.as_ref())
            .filter(|p| p.ok.is_some())
            .max_by(|a, b| a.started_at.cmp(&b.started_at));
        let (proven_at, not_proven) = match proof {
            Some(p) if p.ok == Some(true) => (p.finished_at.clone(), None),
            Some(p) => (
                None,
                Some(
                    p.error
                        .clone()
                        .unwrap_or_else(|| "the restore failed".into()),
                ),
            ),
            None => (None, None),
        };
        found.push(ConnectionHealth {
            proven_at,
            not_proven,
            connection_id: connection,
            summary: summary(overdue, last_good.as_ref(), schedule, now),
            connection_name: name,
            overdue,
            last_good_at: last_good.as_ref().map(|g| to_text(g.completed)),
            due_by: Some(to_text(due)),
            schedule_name: schedule.name.clone(),
        });
    }
    found.sort_by_key(|h| (!h.overdue, h.not_proven.is_none()));
    Ok(found)
}

fn last_good(store: &Store, connection: ConnectionId) -> Result<Option<LastGood>, Problem> {
    let found = crate::backups::repository::last_completed(&store.connection(), connection)?;
    Ok(found.and_then(|(started, completed)| {
        let started = from_text(&started)?;
        let completed = completed.as_deref().and_then(from_text).unwrap_or(started);
        Some(LastGood { started, completed })
    }))
}

/// When `schedule` makes its connection overdue, given its last good backup. None when its
/// pattern no longer parses (the schedule says so itself) or never fires again.
fn due_by(schedule: &Schedule, last_good: Option<&LastGood>) -> Option<DateTime<Utc>> {
    let created = from_text(&schedule.created_at)?;
    if let Some(seconds) = schedule.alert_after_seconds {
        let since = last_good.map_or(created, |g| g.completed.max(created));
        return since.checked_add_signed(Duration::seconds(i64::from(seconds)));
    }
    let cron = CronSchedule::parse(&schedule.cron, &schedule.timezone).ok()?;
    // A schedule made after the last good backup gets its two runs from when it was made.
    let reference = last_good.map_or(created, |g| g.started.max(created));
    let first = cron.next_after(reference)?;
    cron.next_after(first)
}

fn summary(
    overdue: bool,
    last_good: Option<&LastGood>,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> String {
    let ago = |instant: DateTime<Utc>| human_duration((now - instant).num_seconds().max(0) as u64);
    match (overdue, last_good) {
        (true, Some(good)) => format!("no backup for {}", ago(good.completed)),
        (true, None) => match from_text(&schedule.created_at) {
            Some(created) => format!(
                "no backup yet, {} after its schedule was made",
                ago(created)
            ),
            None => "no backup yet".to_string(),
        },
        (false, Some(good)) => format!("last good backup {} ago", ago(good.completed)),
        (false, None) => "no backup yet".to_string(),
    }
}
