//! Statistics over the backup records: counts, storage, success rates, per connection.

use std::path::Path;

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use crate::model::{ConnectionId, Problem};
use crate::store::Store;

/// Success rate = completed / (completed + failed + partial + interrupted): cancelled runs were the
/// user's choice and count for neither side. None when no run ended yet.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub completed: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub running: u64,
    #[ts(type = "number")]
    pub cancelled: u64,
    #[ts(type = "number")]
    pub interrupted: u64,
    /// Server sets some of whose databases failed (counted against the success rate).
    #[ts(type = "number")]
    pub partial: u64,
    /// Backups that are server sets, and the databases their folders hold.
    #[ts(type = "number")]
    pub sets: u64,
    #[ts(type = "number")]
    pub set_databases: u64,
    /// Sum of the completed backups' (and partial sets') recorded sizes.
    #[ts(type = "number")]
    pub recorded_bytes: u64,
    /// What their files take on disk now (missing files count 0).
    #[ts(type = "number")]
    pub bytes_on_disk: u64,
    pub success_rate: Option<f64>,
    pub success_rate_30_days: Option<f64>,
    pub connections: Vec<ConnectionStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStats {
    pub connection_id: ConnectionId,
    pub name: String,
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub completed: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub recorded_bytes: u64,
    pub success_rate: Option<f64>,
    pub last_success_at: Option<String>,
    pub last_failure_at: Option<String>,
}

fn rate(completed: u64, failed: u64, interrupted: u64) -> Option<f64> {
    let ended = completed + failed + interrupted;
    (ended > 0).then(|| completed as f64 / ended as f64)
}

/// The statistics as of `now` (RFC 3339 text, for the 30-day window).
pub fn stats(store: &Store, now: chrono::DateTime<chrono::Utc>) -> Result<Stats, Problem> {
    let since = crate::time::to_text(now - chrono::TimeDelta::days(30));
    let sql = store.connection();
    // One pass over the records: how many of each status.
    let mut by_status = std::collections::HashMap::<String, u64>::new();
    let mut counts = sql.prepare("SELECT status, count(*) FROM backup GROUP BY status")?;
    for row in counts.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })? {
        let (status, n) = row?;
        by_status.insert(status, n as u64);
    }
    drop(counts);
    let count = |status: &str| by_status.get(status).copied().unwrap_or(0);
    let (completed, failed, running, cancelled, interrupted) = (
        count("completed"),
        count("failed"),
        count("running") + count("pending"),
        count("cancelled"),
        count("interrupted"),
    );
    let partial = count("partial");
    let total: u64 = by_status.values().sum();
    let (sets, set_databases): (i64, i64) = sql.query_row(
        "SELECT (SELECT count(*) FROM backup WHERE kind = 'server'),
                (SELECT count(*) FROM backup_part p JOIN backup b ON b.id = p.backup_id
                 WHERE p.kind = 'database' AND p.status = 'completed'
                   AND b.status IN ('completed', 'partial'))",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let recorded: i64 = sql.query_row(
        "SELECT coalesce(sum(size_bytes), 0) FROM backup WHERE status IN ('completed', 'partial')",
        [],
        |row| row.get(0),
    )?;
    let recent: (i64, i64, i64) = sql.query_row(
        "SELECT count(*) FILTER (WHERE status = 'completed'),
                count(*) FILTER (WHERE status IN ('failed', 'partial')),
                count(*) FILTER (WHERE status = 'interrupted')
         FROM backup WHERE started_at >= ?1",
        [&since],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let mut files = sql.prepare(
        "SELECT file_path FROM backup WHERE status IN ('completed', 'partial') AND file_path IS NOT NULL",
    )?;
    let paths: Vec<String> = files
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    drop(files);
    let mut per = sql.prepare(
        "SELECT c.id, c.name, count(b.id),
                count(b.id) FILTER (WHERE b.status = 'completed'),
                count(b.id) FILTER (WHERE b.status IN ('failed', 'partial')),
                count(b.id) FILTER (WHERE b.status = 'interrupted'),
                coalesce(sum(b.size_bytes) FILTER (WHERE b.status IN ('completed', 'partial')), 0),
                max(b.started_at) FILTER (WHERE b.status = 'completed'),
                max(b.started_at) FILTER (WHERE b.status IN ('failed', 'partial'))
         FROM connection c LEFT JOIN backup b ON b.connection_id = c.id
         GROUP BY c.id ORDER BY c.name COLLATE NOCASE, c.id",
    )?;
    let connections = per
        .query_map(params![], |row| {
            let (completed, failed, interrupted): (i64, i64, i64) =
                (row.get(3)?, row.get(4)?, row.get(5)?);
            Ok(ConnectionStats {
                connection_id: ConnectionId(row.get(0)?),
                name: row.get(1)?,
                total: row.get::<_, i64>(2)? as u64,
                completed: completed as u64,
                failed: failed as u64,
                recorded_bytes: row.get::<_, i64>(6)? as u64,
                success_rate: rate(completed as u64, failed as u64, interrupted as u64),
                last_success_at: row.get(7)?,
                last_failure_at: row.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    drop(per);
    drop(sql);
    Ok(Stats {
        total,
        completed,
        failed,
        running,
        cancelled,
        interrupted,
        partial,
        sets: sets as u64,
        set_databases: set_databases as u64,
        recorded_bytes: recorded as u64,
        bytes_on_disk: paths.iter().map(|p| size_on_disk(Path::new(p))).sum(),
        success_rate: rate(completed, failed + partial, interrupted),
        success_rate_30_days: rate(recent.0 as u64, recent.1 as u64, recent.2 as u64),
        connections,
    })
}

/// Blocks actually allocated (sparse files and folders included); 0 when gone.
fn size_on_disk(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    let own = allocated(&meta);
    if meta.is_dir() {
        own + std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| size_on_disk(&entry.path()))
            .sum::<u64>()
    } else {
        own
    }
}

#[cfg(unix)]
fn allocated(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.blocks() * 512
}

#[cfg(not(unix))]
fn allocated(meta: &std::fs::Metadata) -> u64 {
    meta.len()
}
