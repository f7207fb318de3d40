//! The `copy` table: one backup in one location, and how its copy stands.

use rusqlite::{params, Connection as Sql, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{BackupId, Code, LocationId, Named, Problem};
use crate::store::decode;
use crate::time::now_utc;

/// Where a backup's copy in one location stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum CopyState {
    /// Waiting for its turn (or for the app to run again).
    Pending,
    /// Being uploaded now.
    Copying,
    /// Stored and its hash checked.
    Copied,
    /// The last attempt failed; the error says why.
    Failed,
    /// A check found the object gone.
    Missing,
    /// A check found the object changed behind the app's back.
    Altered,
}

impl Named for CopyState {
    fn all() -> &'static [Self] {
        &[
            CopyState::Pending,
            CopyState::Copying,
            CopyState::Copied,
            CopyState::Failed,
            CopyState::Missing,
            CopyState::Altered,
        ]
    }

    fn name(self) -> &'static str {
        match self {
            CopyState::Pending => "pending",
            CopyState::Copying => "copying",
            CopyState::Copied => "copied",
            CopyState::Failed => "failed",
            CopyState::Missing => "missing",
            CopyState::Altered => "altered",
        }
    }
}

/// One backup's copy in one location.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Copy {
    pub backup_id: BackupId,
    pub location_id: LocationId,
    pub location_name: String,
    pub state: CopyState,
    /// The key of the manifest beside the backup's objects.
    pub manifest_key: Option<String>,
    pub encrypted: bool,
    /// The age recipients it was encrypted to.
    pub recipients: Vec<String>,
    /// Bytes stored, once copied.
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    /// Bytes sent so far, while copying.
    #[ts(type = "number")]
    pub bytes_done: i64,
    pub attempts: u32,
    pub error_message: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub verified_at: Option<String>,
    /// Found in the location by a scan, not written by this installation.
    pub imported: bool,
}

const COLUMNS: &str = "c.backup_id, c.location_id, l.name, c.state, c.manifest_key, c.encrypted, \
                       c.recipients, c.size_bytes, c.bytes_done, c.attempts, c.error_message, \
                       c.started_at, c.finished_at, c.verified_at, c.imported";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Copy> {
    let recipients: Option<String> = row.get(6)?;
    Ok(Copy {
        backup_id: BackupId(row.get(0)?),
        location_id: LocationId(row.get(1)?),
        location_name: row.get(2)?,
        state: decode::named(row, "copy", 3, "state")?,
        manifest_key: row.get(4)?,
        encrypted: row.get(5)?,
        recipients: recipients
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default(),
        size_bytes: row.get(7)?,
        bytes_done: row.get(8)?,
        attempts: row.get(9)?,
        error_message: row.get(10)?,
        started_at: row.get(11)?,
        finished_at: row.get(12)?,
        verified_at: row.get(13)?,
        imported: row.get(14)?,
    })
}

fn select(filter: &str) -> String {
    format!("SELECT {COLUMNS} FROM copy c JOIN location l ON l.id = c.location_id WHERE {filter}")
}

pub fn of_backup(sql: &Sql, backup: BackupId) -> Result<Vec<Copy>, Problem> {
    let mut statement = sql.prepare(&(select("c.backup_id = ?1") + " ORDER BY l.name"))?;
    let rows = statement.query_map([backup.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn get(sql: &Sql, backup: BackupId, location: LocationId) -> Result<Option<Copy>, Problem> {
    Ok(sql
        .query_row(
            &select("c.backup_id = ?1 AND c.location_id = ?2"),
            params![backup.0, location.0],
            from_row,
        )
        .optional()?)
}

/// Copies in these states, oldest backup first.
pub fn in_states(sql: &Sql, states: &[CopyState]) -> Result<Vec<Copy>, Problem> {
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.name()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut statement =
        sql.prepare(&(select(&format!("c.state IN ({list})")) + " ORDER BY c.backup_id"))?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Copies in one location, newest backup first.
pub fn in_location(sql: &Sql, location: LocationId) -> Result<Vec<Copy>, Problem> {
    let mut statement =
        sql.prepare(&(select("c.location_id = ?1") + " ORDER BY c.backup_id DESC"))?;
    let rows = statement.query_map([location.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Asks for a copy (a new one, or again after it failed); one already copied stays.
pub fn request(
    sql: &Sql,
    backup: BackupId,
    location: LocationId,
    encrypted: bool,
) -> Result<(), Problem> {
    sql.execute(
        "INSERT INTO copy (backup_id, location_id, state, encrypted) VALUES (?1, ?2, 'pending', ?3)
         ON CONFLICT (backup_id, location_id) DO UPDATE SET
           state = CASE WHEN state = 'copying' THEN state ELSE 'pending' END,
           encrypted = excluded.encrypted, error_message = NULL",
        params![backup.0, location.0, encrypted],
    )?;
    Ok(())
}

/// Marks the copy as being uploaded by this process: fails when another upload holds it.
pub fn start(sql: &Sql, backup: BackupId, location: LocationId) -> Result<(), Problem> {
    let changed = sql.execute(
        "UPDATE copy SET state = 'copying', attempts = attempts + 1, started_at = ?3,
                bytes_done = 0, error_message = NULL
         WHERE backup_id = ?1 AND location_id = ?2 AND state <> 'copying'",
        params![backup.0, location.0, now_utc()],
    )?;
    if changed == 0 {
        return Err(Problem::new(
            Code::CopyRunning,
            format!("Backup {backup} is already being copied there."),
            "Wait for that copy to end.",
        ));
    }
    Ok(())
}

pub fn progress(
    sql: &Sql,
    backup: BackupId,
    location: LocationId,
    bytes: i64,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE copy SET bytes_done = ?3 WHERE backup_id = ?1 AND location_id = ?2",
        params![backup.0, location.0, bytes],
    )?;
    Ok(())
}

pub struct Stored<'a> {
    pub manifest_key: &'a str,
    pub size_bytes: i64,
    pub recipients: &'a [String],
    pub imported: bool,
}

pub fn copied(
    sql: &Sql,
    backup: BackupId,
    location: LocationId,
    stored: &Stored<'_>,
) -> Result<(), Problem> {
    let now = now_utc();
    sql.execute(
        "INSERT INTO copy (backup_id, location_id, state, manifest_key, encrypted, recipients,
                           size_bytes, bytes_done, finished_at, verified_at, imported, started_at)
         VALUES (?1, ?2, 'copied', ?3, ?4, ?5, ?6, ?6, ?7, ?7, ?8, ?7)
         ON CONFLICT (backup_id, location_id) DO UPDATE SET
           state = 'copied', manifest_key = ?3, encrypted = ?4, recipients = ?5, size_bytes = ?6,
           bytes_done = ?6, finished_at = ?7, verified_at = ?7, error_message = NULL",
        params![
            backup.0,
            location.0,
            stored.manifest_key,
            !stored.recipients.is_empty(),
            serde_json::to_string(stored.recipients).unwrap_or_default(),
            stored.size_bytes,
            now,
            stored.imported
        ],
    )?;
    Ok(())
}

/// The copy's end when it did not succeed, or what a check found.
pub fn set_state(
    sql: &Sql,
    backup: BackupId,
    location: LocationId,
    state: CopyState,
    error: Option<&str>,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE copy SET state = ?3, error_message = ?4, finished_at = ?5
         WHERE backup_id = ?1 AND location_id = ?2",
        params![backup.0, location.0, state.name(), error, now_utc()],
    )?;
    Ok(())
}

pub fn verified(sql: &Sql, backup: BackupId, location: LocationId) -> Result<(), Problem> {
    sql.execute(
        "UPDATE copy SET state = 'copied', error_message = NULL, verified_at = ?3
         WHERE backup_id = ?1 AND location_id = ?2",
        params![backup.0, location.0, now_utc()],
    )?;
    Ok(())
}

pub fn remove(sql: &Sql, backup: BackupId, location: LocationId) -> Result<(), Problem> {
    sql.execute(
        "DELETE FROM copy WHERE backup_id = ?1 AND location_id = ?2",
        params![backup.0, location.0],
    )?;
    Ok(())
}

/// A copy a dead process left `copying` goes back to `pending`, to be started again.
pub fn requeue_abandoned(sql: &Sql, data_dir: &std::path::Path) -> Result<usize, Problem> {
    let mut requeued = 0;
    for copy in in_states(sql, &[CopyState::Copying])? {
        if super::copy_lock::is_alive(data_dir, copy.backup_id, copy.location_id) {
            continue;
        }
        requeued += sql.execute(
            "UPDATE copy SET state = 'pending',
                    error_message = 'The app stopped during the copy; it starts again.'
             WHERE backup_id = ?1 AND location_id = ?2 AND state = 'copying'",
            params![copy.backup_id.0, copy.location_id.0],
        )?;
    }
    Ok(requeued)
}
