//! A backup run as recorded: what ran, where the file is, how it ended.

use crate::model::{
    BackupId, BackupStatus, ConnectionId, DumpFormat, Named, RunnerKind, ScheduleId, Trigger,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A backup run and its file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    pub id: BackupId,
    pub connection_id: ConnectionId,
    /// The connection's name now (or when it was removed).
    pub connection_name: String,
    /// The connection was removed; its backups were kept.
    pub connection_removed: bool,
    pub schedule_id: Option<ScheduleId>,
    pub trigger: Trigger,
    pub status: BackupStatus,
    pub file_path: Option<String>,
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub format: DumpFormat,
    pub compression: Option<String>,
    pub runner: Option<RunnerKind>,
    /// The image (`postgres:16`) or binary path that ran pg_dump.
    pub runner_detail: Option<String>,
    pub pg_dump_version: Option<String>,
    pub server_version: Option<String>,
    pub started_at: String,
    pub completed_at: Option<String>,
    pub error_message: Option<String>,
    /// The last part of pg_dump's own messages.
    pub log: Option<String>,
    /// From start to end, when it ended.
    pub duration_seconds: Option<f64>,
    /// What the last scan found when the file is not as recorded.
    pub file_state: Option<FileState>,
    pub verified_at: Option<String>,
    /// The last verification's findings.
    pub verification: Option<Verification>,
    /// What the dump was asked to contain (None for backups older than this record).
    pub options: Option<crate::dump::options::DumpOptions>,
    /// Why this completed backup looks unusual against the connection's recent ones (its size,
    /// its duration, a table that lost most of its rows); empty when it does not.
    pub unusual: Vec<String>,
    /// What its schedule's hooks answered after the run (empty: it had none).
    pub hooks: Vec<HookResult>,
    /// One database, or a set: a whole server's databases and globals in one folder.
    pub kind: BackupKind,
    /// When the app removed the local file because copies of it are kept in storage locations
    /// (restore and verify fetch it back from one of them first).
    pub local_removed_at: Option<String>,
    /// A set's databases, in order (empty for one database's backup).
    pub parts: Vec<SetPart>,
    /// A set's roles, tablespaces and settings (`pg_dumpall --globals-only`).
    pub globals: Option<SetGlobals>,
}

/// What a backup holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum BackupKind {
    /// One database: `file_path` is its file (or folder, for the directory format).
    #[default]
    Database,
    /// A whole server: `file_path` is the set's folder (parts, globals, manifest).
    Server,
}

impl BackupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Database => "database",
            BackupKind::Server => "server",
        }
    }
}

impl Named for BackupKind {
    fn all() -> &'static [Self] {
        &[BackupKind::Database, BackupKind::Server]
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// One database of a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetPart {
    pub position: u32,
    pub database: String,
    /// Running, completed, failed or cancelled.
    pub status: BackupStatus,
    /// Its archive (custom format), once completed.
    pub file_path: Option<String>,
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    /// The database's size on the server when the set started.
    #[ts(type = "number | null")]
    pub database_size_bytes: Option<i64>,
    /// Why it failed, in pg_dump's words.
    pub error_message: Option<String>,
}

/// A set's globals file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetGlobals {
    pub status: BackupStatus,
    pub file_path: Option<String>,
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    /// False when the user could not read the roles' passwords (a managed service, not a
    /// superuser): the roles are there, without passwords.
    pub role_passwords: bool,
    pub error_message: Option<String>,
}

/// One hook called after a scheduled run, and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HookResult {
    /// `ping`, `on-success`, `on-failure` or `on-finish`.
    pub hook: String,
    /// The URL called or the command run.
    pub target: String,
    pub ok: bool,
    /// "HTTP 200", "timed out after 10 s", "exit status 3: …".
    pub detail: String,
    pub seconds: f64,
}

/// A backup file changed or removed outside the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FileState {
    Missing,
    Modified,
}

impl FileState {
    pub fn as_str(self) -> &'static str {
        match self {
            FileState::Missing => "missing",
            FileState::Modified => "modified",
        }
    }
}

impl Named for FileState {
    fn all() -> &'static [Self] {
        &[FileState::Missing, FileState::Modified]
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// What verifying a backup found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub ok: bool,
    /// Each check in order, in words ("size 1,234 bytes as recorded").
    pub checks: Vec<VerifyCheck>,
    /// Set when restored into a throwaway database: tables and their row counts.
    pub restored_tables: Option<Vec<TableCount>>,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifyCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

impl VerifyCheck {
    pub fn new(name: &str, ok: bool, detail: impl Into<String>) -> VerifyCheck {
        VerifyCheck {
            name: name.into(),
            ok,
            detail: detail.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TableCount {
    /// `schema.table`.
    pub table: String,
    #[ts(type = "number")]
    pub rows: i64,
    /// The source's count when it was reachable.
    #[ts(type = "number | null")]
    pub source_rows: Option<i64>,
}
