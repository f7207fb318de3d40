//! The `backup` table.

use rusqlite::{params, Connection as Sql, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{Backup, FileState, HookResult, Verification};

use crate::dump::options::DumpOptions;
use crate::model::{
    BackupId, BackupStatus, Code, ConnectionId, Problem, RunnerKind, ScheduleId, Trigger,
};
use crate::store::decode;
use crate::time::{from_text, now_utc};

const COLUMNS: &str =
    "id, connection_id, schedule_id, trigger, status, file_path, size_bytes, sha256, \
     format, compression, runner, runner_detail, pg_dump_version, server_version, started_at, \
     completed_at, error_message, log, file_state, verified_at, verify_result, \
     (SELECT c.name FROM connection c WHERE c.id = backup.connection_id), \
     (SELECT c.removed_at IS NOT NULL FROM connection c WHERE c.id = backup.connection_id), \
     options, unusual, hooks, kind, local_removed_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Backup> {
    Ok(Backup {
        id: BackupId(row.get(0)?),
        connection_id: ConnectionId(row.get(1)?),
        connection_name: row.get::<_, Option<String>>(21)?.unwrap_or_default(),
        connection_removed: row.get::<_, Option<bool>>(22)?.unwrap_or(false),
        options: row
            .get::<_, Option<String>>(23)?
            .and_then(|json| serde_json::from_str(&json).ok()),
        unusual: row
            .get::<_, Option<String>>(24)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        hooks: row
            .get::<_, Option<String>>(25)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        kind: decode::named(row, "backup", 26, "kind")?,
        local_removed_at: row.get(27)?,
        parts: Vec::new(),
        globals: None,
        schedule_id: row.get::<_, Option<i64>>(2)?.map(ScheduleId),
        trigger: decode::named(row, "backup", 3, "trigger")?,
        status: decode::named(row, "backup", 4, "status")?,
        file_path: row.get(5)?,
        size_bytes: row.get(6)?,
        sha256: row.get(7)?,
        format: decode::named(row, "backup", 8, "format")?,
        compression: row.get(9)?,
        runner: decode::optional_named(row, "backup", 10, "runner")?,
        runner_detail: row.get(11)?,
        pg_dump_version: row.get(12)?,
        server_version: row.get(13)?,
        started_at: row.get(14)?,
        completed_at: row.get(15)?,
        error_message: row.get(16)?,
        log: row.get(17)?,
        duration_seconds: duration(
            row.get::<_, String>(14)?.as_str(),
            row.get::<_, Option<String>>(15)?,
        ),
        file_state: decode::optional_named(row, "backup", 18, "file_state")?,
        verified_at: row.get(19)?,
        verification: row
            .get::<_, Option<String>>(20)?
            .and_then(|json| serde_json::from_str(&json).ok()),
    })
}

fn duration(started: &str, completed: Option<String>) -> Option<f64> {
    let started = from_text(started)?;
    let completed = from_text(&completed?)?;
    Some((completed - started).num_milliseconds() as f64 / 1000.0)
}

/// Starts a run's record as running.
pub fn insert_running(
    sql: &Sql,
    connection: ConnectionId,
    schedule: Option<ScheduleId>,
    trigger: Trigger,
    options: &DumpOptions,
    whole_server: bool,
) -> Result<BackupId, Problem> {
    let options_json = serde_json::to_string(options).ok();
    sql.execute(
        "INSERT INTO backup (connection_id, schedule_id, trigger, status, format, started_at, options,
                             kind)
         VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7)",
        params![
            connection.0,
            schedule.map(|s| s.0),
            trigger.as_str(),
            options.format.as_str(),
            now_utc(),
            options_json,
            if whole_server { "server" } else { "database" }
        ],
    )?;
    Ok(BackupId(sql.last_insert_rowid()))
}

/// What the run learnt before pg_dump started: runner, versions, target file.
pub struct RunDetails<'a> {
    pub file_path: &'a str,
    pub compression: &'a str,
    pub runner: RunnerKind,
    pub runner_detail: &'a str,
    pub pg_dump_version: &'a str,
    pub server_version: &'a str,
}

/// The app removed the backup's local file while copies of it remain elsewhere (None: the file
/// is here again, fetched back from a location).
pub fn set_local_removed(sql: &Sql, id: BackupId, at: Option<&str>) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET local_removed_at = ?2 WHERE id = ?1",
        params![id.0, at],
    )?;
    Ok(())
}

pub fn record_details(sql: &Sql, id: BackupId, details: &RunDetails<'_>) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET file_path = ?2, compression = ?3, runner = ?4, runner_detail = ?5,
                pg_dump_version = ?6, server_version = ?7 WHERE id = ?1",
        params![
            id.0,
            details.file_path,
            details.compression,
            match details.runner {
                RunnerKind::Docker => "docker",
                RunnerKind::Local => "local",
            },
            details.runner_detail,
            details.pg_dump_version,
            details.server_version
        ],
    )?;
    Ok(())
}

pub fn record_server_version(sql: &Sql, id: BackupId, version: &str) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET server_version = ?2 WHERE id = ?1",
        params![id.0, version],
    )?;
    Ok(())
}

/// When a connection's newest completed backup started and ended (RFC 3339 text, as stored).
pub fn last_completed(
    sql: &Sql,
    connection: ConnectionId,
) -> Result<Option<(String, Option<String>)>, Problem> {
    Ok(sql
        .query_row(
            "SELECT started_at, completed_at FROM backup
             WHERE connection_id = ?1 AND status = 'completed'
             ORDER BY started_at DESC LIMIT 1",
            [connection.0],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

/// The connection's newest completed backup.
pub fn newest_completed(sql: &Sql, connection: ConnectionId) -> Result<Option<BackupId>, Problem> {
    Ok(sql
        .query_row(
            "SELECT id FROM backup WHERE connection_id = ?1 AND status = 'completed'
             ORDER BY started_at DESC, id DESC LIMIT 1",
            [connection.0],
            |row| row.get(0),
        )
        .optional()?
        .map(BackupId))
}

/// The server's per-table live rows when the run started (for judging it unusual later).
pub fn record_table_rows(sql: &Sql, id: BackupId, rows: &[(String, i64)]) -> Result<(), Problem> {
    let json = serde_json::to_string(rows).unwrap_or_default();
    sql.execute(
        "UPDATE backup SET table_rows = ?2 WHERE id = ?1",
        params![id.0, json],
    )?;
    Ok(())
}

/// Why a finished backup looks unusual (empty: it does not).
pub fn set_unusual(sql: &Sql, id: BackupId, reasons: &[String]) -> Result<(), Problem> {
    let json = (!reasons.is_empty()).then(|| serde_json::to_string(reasons).unwrap_or_default());
    sql.execute(
        "UPDATE backup SET unusual = ?2 WHERE id = ?1",
        params![id.0, json],
    )?;
    Ok(())
}

/// What the schedule's hooks answered after the run.
pub fn set_hooks(sql: &Sql, id: BackupId, results: &[HookResult]) -> Result<(), Problem> {
    let json = (!results.is_empty()).then(|| serde_json::to_string(results).unwrap_or_default());
    sql.execute(
        "UPDATE backup SET hooks = ?2 WHERE id = ?1",
        params![id.0, json],
    )?;
    Ok(())
}

/// What judging a backup unusual reads of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub size_bytes: Option<i64>,
    pub duration_seconds: Option<f64>,
    pub table_rows: Option<Vec<(String, i64)>>,
}

/// Backup `id` and the connection's completed backups before it made with the same options,
/// newest first, at most `limit`.
pub fn samples(sql: &Sql, id: BackupId, limit: u32) -> Result<(Sample, Vec<Sample>), Problem> {
    let read = |row: &Row<'_>| -> rusqlite::Result<Sample> {
        Ok(Sample {
            size_bytes: row.get(0)?,
            duration_seconds: duration(row.get::<_, String>(1)?.as_str(), row.get(2)?),
            table_rows: row
                .get::<_, Option<String>>(3)?
                .and_then(|json| serde_json::from_str(&json).ok()),
        })
    };
    let current = sql.query_row(
        "SELECT size_bytes, started_at, completed_at, table_rows FROM backup WHERE id = ?1",
        [id.0],
        read,
    )?;
    let mut statement = sql.prepare_cached(
        "SELECT b.size_bytes, b.started_at, b.completed_at, b.table_rows
         FROM backup b JOIN backup this ON this.id = ?1
         WHERE b.connection_id = this.connection_id AND b.status = 'completed' AND b.id < this.id
           AND b.options IS this.options
         ORDER BY b.started_at DESC, b.id DESC LIMIT ?2",
    )?;
    let history = statement
        .query_map(params![id.0, limit], read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((current, history))
}

pub fn complete(
    sql: &Sql,
    id: BackupId,
    size: u64,
    sha256: &str,
    log: &str,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET status = 'completed', size_bytes = ?2, sha256 = ?3, log = ?4, completed_at = ?5
         WHERE id = ?1",
        params![id.0, size as i64, sha256, log, now_utc()],
    )?;
    Ok(())
}

/// What an imported backup (found in a storage location, made by another installation) is
/// recorded with: completed, its file not here yet (`local_removed_at`).
pub struct Imported<'a> {
    pub connection: ConnectionId,
    pub kind: &'a str,
    pub format: &'a str,
    pub compression: Option<&'a str>,
    pub pg_dump_version: Option<&'a str>,
    pub server_version: Option<&'a str>,
    pub started_at: &'a str,
    pub completed_at: Option<&'a str>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<&'a str>,
    pub status: &'a str,
}

pub fn insert_imported(sql: &Sql, imported: &Imported<'_>) -> Result<BackupId, Problem> {
    sql.execute(
        "INSERT INTO backup (connection_id, trigger, status, format, compression, pg_dump_version,
                             server_version, started_at, completed_at, size_bytes, sha256, kind,
                             local_removed_at, log)
         VALUES (?1, 'manual', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'imported from a storage location')",
        params![
            imported.connection.0,
            imported.status,
            imported.format,
            imported.compression,
            imported.pg_dump_version,
            imported.server_version,
            imported.started_at,
            imported.completed_at,
            imported.size_bytes,
            imported.sha256,
            imported.kind,
            now_utc()
        ],
    )?;
    Ok(BackupId(sql.last_insert_rowid()))
}

pub fn set_file_path(sql: &Sql, id: BackupId, path: &str) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET file_path = ?2 WHERE id = ?1",
        params![id.0, path],
    )?;
    Ok(())
}

/// A set's status once its folder is recorded (completed, or partial with what failed).
pub fn set_status(
    sql: &Sql,
    id: BackupId,
    status: BackupStatus,
    error: Option<&str>,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET status = ?2, error_message = ?3 WHERE id = ?1",
        params![id.0, status.as_str(), error],
    )?;
    Ok(())
}

/// Ends a run that made no file: failed or cancelled, with the reason and pg_dump's messages.
pub fn finish_without_file(
    sql: &Sql,
    id: BackupId,
    status: BackupStatus,
    error: &str,
    log: &str,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET status = ?2, error_message = ?3, log = ?4, completed_at = ?5,
                size_bytes = NULL, sha256 = NULL
         WHERE id = ?1",
        params![id.0, status.as_str(), error, log, now_utc()],
    )?;
    Ok(())
}

/// Runs recorded as running or pending, with their target file.
pub fn unfinished(sql: &Sql) -> Result<Vec<(BackupId, Option<String>)>, Problem> {
    let mut statement =
        sql.prepare("SELECT id, file_path FROM backup WHERE status IN ('running', 'pending')")?;
    let rows = statement.query_map([], |row| Ok((BackupId(row.get(0)?), row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A run whose process died: interrupted, never completed.
pub fn interrupt(sql: &Sql, id: BackupId) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET status = 'interrupted', completed_at = ?2, size_bytes = NULL, sha256 = NULL,
                error_message = COALESCE(error_message, 'The app stopped while this backup was running.')
         WHERE id = ?1 AND status IN ('running', 'pending')",
        params![id.0, now_utc()],
    )?;
    Ok(())
}

/// A dead run whose finished file passed recovery's checks: completed after all. Only a run
/// still recorded as running or pending changes.
pub fn complete_recovered(sql: &Sql, id: BackupId, size: u64, sha256: &str) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET status = 'completed', size_bytes = ?2, sha256 = ?3, completed_at = ?4,
                log = COALESCE(log || char(10), '') || ?5
         WHERE id = ?1 AND status IN ('running', 'pending')",
        params![
            id.0,
            size as i64,
            sha256,
            now_utc(),
            "Recorded at the next start: the app stopped after the file was finished; its size, \
             SHA-256 and contents were checked then."
        ],
    )?;
    Ok(())
}

/// A connection's runs recorded as running or pending.
pub fn unfinished_of(sql: &Sql, connection: ConnectionId) -> Result<Vec<BackupId>, Problem> {
    let mut statement = sql.prepare(
        "SELECT id FROM backup WHERE connection_id = ?1 AND status IN ('running', 'pending')",
    )?;
    let rows = statement.query_map([connection.0], |row| Ok(BackupId(row.get(0)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many backups a connection has, and the bytes of the completed ones.
pub fn totals_of(sql: &Sql, connection: ConnectionId) -> Result<(u64, u64), Problem> {
    let (count, bytes): (i64, i64) = sql.query_row(
        "SELECT count(*), coalesce(sum(CASE WHEN status = 'completed' THEN size_bytes END), 0)
         FROM backup WHERE connection_id = ?1",
        [connection.0],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok((count as u64, bytes as u64))
}

/// A dead run, interrupted with the reason given.
pub fn interrupt_with(sql: &Sql, id: BackupId, reason: &str) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET status = 'interrupted', completed_at = ?2, size_bytes = NULL, sha256 = NULL,
                error_message = ?3
         WHERE id = ?1 AND status IN ('running', 'pending')",
        params![id.0, now_utc(), reason],
    )?;
    Ok(())
}

pub fn get(sql: &Sql, id: BackupId) -> Result<Backup, Problem> {
    let mut backup = sql
        .query_row(
            &format!("SELECT {COLUMNS} FROM backup WHERE id = ?1"),
            [id.0],
            from_row,
        )
        .optional()?
        .ok_or_else(|| not_found(id))?;
    super::parts::attach(sql, &mut backup)?;
    Ok(backup)
}

fn not_found(id: BackupId) -> Problem {
    Problem::new(
        Code::BackupNotFound,
        format!("There is no backup {id}."),
        "Check the id (dbm backup list shows them).",
    )
}

/// Which backups a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct BackupFilter {
    pub connection: Option<ConnectionId>,
    pub schedule: Option<ScheduleId>,
    pub status: Option<BackupStatus>,
    /// Started at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Started before this instant (RFC 3339).
    pub to: Option<String>,
}

impl BackupFilter {
    /// The WHERE clause with only the filters given, so SQLite can pick the matching index.
    fn clause(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        if let Some(connection) = self.connection {
            conditions.push("connection_id = ?");
            values.push(Value::Integer(connection.0));
        }
        if let Some(schedule) = self.schedule {
            conditions.push("schedule_id = ?");
            values.push(Value::Integer(schedule.0));
        }
        if let Some(status) = self.status {
            conditions.push("status = ?");
            values.push(Value::Text(status.as_str().into()));
        }
        if let Some(from) = &self.from {
            conditions.push("started_at >= ?");
            values.push(Value::Text(from.clone()));
        }
        if let Some(to) = &self.to {
            conditions.push("started_at < ?");
            values.push(Value::Text(to.clone()));
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        (clause, values)
    }
}

/// Newest first, a page at a time.
pub fn list(
    sql: &Sql,
    filter: &BackupFilter,
    limit: u32,
    offset: u32,
) -> Result<Vec<Backup>, Problem> {
    let (clause, mut values) = filter.clause();
    values.push(rusqlite::types::Value::Integer(i64::from(limit)));
    values.push(rusqlite::types::Value::Integer(i64::from(offset)));
    let mut statement = sql.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM backup {clause} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?"
    ))?;
    let rows = statement.query_map(rusqlite::params_from_iter(values), from_row)?;
    let mut backups: Vec<Backup> = rows.collect::<Result<_, _>>()?;
    for backup in &mut backups {
        super::parts::attach(sql, backup)?;
    }
    Ok(backups)
}

/// How many backups the filter matches.
pub fn count(sql: &Sql, filter: &BackupFilter) -> Result<u64, Problem> {
    let (clause, values) = filter.clause();
    let count: i64 = sql.query_row(
        &format!("SELECT count(*) FROM backup {clause}"),
        rusqlite::params_from_iter(values),
        |row| row.get(0),
    )?;
    Ok(count as u64)
}

pub fn set_file_state(sql: &Sql, id: BackupId, state: Option<FileState>) -> Result<(), Problem> {
    sql.execute(
        "UPDATE backup SET file_state = ?2 WHERE id = ?1",
        params![id.0, state.map(FileState::as_str)],
    )?;
    Ok(())
}

pub fn set_verification(
    sql: &Sql,
    id: BackupId,
    verification: &Verification,
) -> Result<(), Problem> {
    let json = serde_json::to_string(verification).map_err(|e| {
        Problem::new(
            Code::Internal,
            format!("The verification could not be saved: {e}."),
            "Try again.",
        )
    })?;
    sql.execute(
        "UPDATE backup SET verified_at = ?2, verify_result = ?3 WHERE id = ?1",
        params![id.0, now_utc(), json],
    )?;
    Ok(())
}

/// Deletes the record; one already gone (a second delete racing the first) is not found.
pub fn delete(sql: &Sql, id: BackupId) -> Result<(), Problem> {
    if sql.execute("DELETE FROM backup WHERE id = ?1", [id.0])? == 0 {
        return Err(not_found(id));
    }
    Ok(())
}
