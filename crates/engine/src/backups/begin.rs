//! What every run starts and ends with: the request, the connection and settings read and the
//! run recorded as running with its lock held (`begin`), and the final record written however
//! busy the app's database is (`patiently`). Shared by one database's run and a server set's.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::repository;
use super::run_lock::RunLock;
use crate::blocking::run_blocking;
use crate::connections::{self, Connection, Connections};
use crate::dump::options::DumpOptions;
use crate::model::{BackupId, Code, ConnectionId, Problem, ScheduleId, Trigger};
use crate::pg::{ConnectTarget, DEFAULT_CONNECT_TIMEOUT};
use crate::secrets::Secret;
use crate::settings::{self, EnginePolicy};
use crate::store::Store;

/// How long a finished run waits for the app's database to be free to record it.
const FINISH_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

/// What to back up and how.
#[derive(Debug, Clone)]
pub struct BackupRequest {
    pub connection: ConnectionId,
    pub options: DumpOptions,
    pub trigger: Trigger,
    pub schedule: Option<ScheduleId>,
    /// Overrides the engine setting for this run.
    pub engine: Option<EnginePolicy>,
    /// Ends the run when pg_dump writes nothing for this long (None: the setting).
    pub stall_after: Option<std::time::Duration>,
    /// Ends the run when it has taken this long (None: no limit).
    pub time_limit: Option<std::time::Duration>,
}

/// What a run starts from: read, and recorded as running, in one blocking step.
pub(super) struct Setup {
    pub connection: Connection,
    pub password: Option<Secret>,
    pub policy: EnginePolicy,
    pub template: String,
    pub root: PathBuf,
    pub stall_after: std::time::Duration,
    pub id: BackupId,
    pub lock: RunLock,
}

impl Setup {
    /// Where the run connects: the connection, under a session name of the run's own (to find
    /// its sessions on the server when it stalls).
    pub fn target(&self) -> ConnectTarget {
        ConnectTarget {
            application_name: format!("dbm-backup-{}", self.id.0),
            ..connections::target_of(
                &self.connection,
                self.password.clone(),
                DEFAULT_CONNECT_TIMEOUT,
            )
        }
    }
}

/// Reads the connection, its password and the settings, and records the run as running with
/// its run lock held (the two appear together: a recovery in another process never sees the
/// run without its lock). Blocking.
pub(super) fn begin(store: &Store, request: &BackupRequest) -> Result<Setup, Problem> {
    let connections = Connections::new(store);
    let connection = connections.get(request.connection)?;
    let password = connections.password(connection.id)?;
    let policy = match request.engine {
        Some(policy) => policy,
        None => settings::engine(store)?,
    };
    let template = settings::image_template(store)?;
    let root = settings::backup_root(store)?;
    let stall_after = match request.stall_after {
        Some(limit) => limit,
        None => settings::stall_after(store)?,
    };
    let data_dir = store
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut sql = store.connection();
    let tx = sql.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let id = repository::insert_running(
        &tx,
        connection.id,
        request.schedule,
        request.trigger,
        &request.options,
        connection.scope.all_databases,
    )?;
    let lock = RunLock::acquire(&data_dir, id).map_err(|e| {
        Problem::new(
            Code::RunLockFailed,
            format!("The backup could not be registered as running: {e}."),
            "Check that the data folder is writable, then try again.",
        )
    })?;
    tx.commit()?;
    Ok(Setup {
        connection,
        password,
        policy,
        template,
        root,
        stall_after,
        id,
        lock,
    })
}

/// Runs a run's final write. Another process may hold SQLite's write lock longer than its
/// busy timeout (a long write, a backup tool): wait for it rather than leave a finished
/// backup unrecorded until the next start's recovery finds it.
pub(super) async fn patiently<T: Send + 'static>(
    store: &Arc<Store>,
    id: BackupId,
    write: impl Fn(&rusqlite::Connection) -> Result<T, Problem> + Send + Sync + 'static,
) -> Result<T, Problem> {
    let write = Arc::new(write);
    let finishing = Instant::now();
    loop {
        let (finish_store, write) = (store.clone(), write.clone());
        let attempt = run_blocking(move || write(&finish_store.connection())).await;
        match attempt {
            Err(problem)
                if problem.code == Code::DatabaseBusy && finishing.elapsed() < FINISH_PATIENCE =>
            {
                tracing::warn!(
                    backup = id.0,
                    "the app's database is busy; recording the backup when it is free"
                );
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            other => return other,
        }
    }
}
