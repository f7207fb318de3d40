//! A dump that writes nothing for a while: what its server session is doing, said live, and
//! after the stall limit the run ended with that explanation instead of hanging for hours.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::progress::Progress;
use crate::model::BackupId;
use crate::pg::{self, ConnectTarget};
use crate::time::human_duration;

/// How often the watch looks.
const EVERY: Duration = Duration::from_secs(5);
/// How long without a byte before the app starts saying why (at most the stall limit).
const EXPLAIN_AFTER: Duration = Duration::from_secs(30);

/// When the dump last wrote something.
pub(super) struct Watch {
    bytes: AtomicU64,
    changed: Mutex<Instant>,
}

impl Watch {
    pub fn new() -> Watch {
        Watch {
            bytes: AtomicU64::new(0),
            changed: Mutex::new(Instant::now()),
        }
    }

    /// The bytes written so far (a size seen again is no progress).
    pub fn saw(&self, bytes: u64) {
        if self.bytes.fetch_max(bytes, Ordering::Relaxed) < bytes {
            *self.changed.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        }
    }

    fn quiet_for(&self) -> Duration {
        self.changed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed()
    }
}

/// What the watch found when it ended the run.
pub(super) type Stalled = Arc<Mutex<Option<String>>>;

/// Watches until aborted: says why the dump is quiet, and past `limit` records why and
/// cancels `cancel` (the run's own token, so the usual clean-up follows).
pub(super) async fn watch(
    watch: Arc<Watch>,
    target: ConnectTarget,
    limit: Duration,
    progress: Arc<dyn Progress>,
    id: BackupId,
    cancel: CancellationToken,
    stalled: Stalled,
) {
    let explain_after = EXPLAIN_AFTER.min(limit);
    loop {
        tokio::time::sleep(EVERY.min(limit)).await;
        let quiet = watch.quiet_for();
        if quiet < explain_after {
            continue;
        }
        let why = explain(&target).await;
        if quiet >= limit {
            *stalled.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
            cancel.cancel();
            return;
        }
        progress.stage(
            id,
            &format!("No data for {}: {why}", human_duration(quiet.as_secs())),
        );
    }
}

/// What the run's sessions (named after the run) are doing on the server, in words.
pub async fn explain(target: &ConnectTarget) -> String {
    let mut looking = target.clone();
    looking.application_name = pg::APPLICATION_NAME.to_string();
    let client = match pg::connect(&looking).await {
        Ok(client) => client,
        Err(problem) => return format!("the server is not answering ({})", problem.message),
    };
    let rows = client
        .query(
            "SELECT a.pid, a.state, a.wait_event_type, a.wait_event,
                    extract(epoch FROM now() - a.state_change)::bigint,
                    b.pid, left(regexp_replace(b.query, '\\s+', ' ', 'g'), 200),
                    extract(epoch FROM now() - coalesce(b.xact_start, b.query_start))::bigint
             FROM pg_stat_activity a
             LEFT JOIN LATERAL unnest(pg_blocking_pids(a.pid)) AS blocker(pid) ON true
             LEFT JOIN pg_stat_activity b ON b.pid = blocker.pid
             WHERE a.application_name = $1
             ORDER BY (b.pid IS NULL), a.pid
             LIMIT 1",
            &[&target.application_name],
        )
        .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(error) => return format!("the server could not say what it is doing ({error})"),
    };
    let Some(row) = rows.first() else {
        return "its session is not on the server (it may still be connecting, or the server dropped it)".into();
    };
    let seconds = |value: Option<i64>| human_duration(value.unwrap_or(0).max(0) as u64);
    let state: Option<String> = row.get(1);
    let wait_type: Option<String> = row.get(2);
    let wait: Option<String> = row.get(3);
    let since: Option<i64> = row.get(4);
    let blocker: Option<i32> = row.get(5);
    match blocker {
        Some(blocker) => {
            let query: Option<String> = row.get(6);
            let age: Option<i64> = row.get(7);
            format!(
                "waiting {} for a lock held by pid {blocker} ({} into its transaction): {}",
                seconds(since),
                seconds(age),
                query.unwrap_or_default()
            )
        }
        None => match (wait_type, wait) {
            (Some(kind), Some(event)) => format!(
                "its session is {} for {}, waiting on {kind}/{event}",
                state.unwrap_or_else(|| "busy".into()),
                seconds(since)
            ),
            _ => format!(
                "its session is {} for {} and waits on nothing the server names",
                state.unwrap_or_else(|| "busy".into()),
                seconds(since)
            ),
        },
    }
}
