//! A backup, end to end: resolve the connection, detect the server's version, choose the
//! pg_dump, write `<file>.partial`, check it, rename it, record it. Whatever happens, no
//! half-written file is left and no run is marked completed that did not complete.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::layout;
use super::model::Backup;
use super::progress::Progress;
use super::repository::{self, RunDetails};
use super::run_lock::RunLock;
use crate::blocking::run_blocking;
use crate::connections::{self, Connections};
use crate::dump::invocation::{Destination, Exit};
use crate::dump::options::{self, DumpOptions, Resolved};
use crate::dump::runner::{self, Runner};
use crate::dump::sink::{hash_path, ProgressFn, Sink, Written};
use crate::model::{
    BackupId, BackupStatus, Code, ConnectionId, DumpFormat, Problem, ScheduleId, Trigger,
};
use crate::pg::DEFAULT_CONNECT_TIMEOUT;
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
}

/// Runs one backup. `Ok` holds the run's record however it ended (completed, failed,
/// cancelled: see its status and error); `Err` means no run started (unknown connection,
/// invalid options, unusable store).
pub async fn run_backup(
    store: Arc<Store>,
    request: BackupRequest,
    progress: Arc<dyn Progress>,
    cancel: CancellationToken,
) -> Result<Backup, Problem> {
    request.options.validate()?;
    let setup_store = store.clone();
    let request_for_setup = request.clone();
    let (connection, password, policy, template, root, id, lock) = run_blocking(move || {
        let store = setup_store;
        let connections = Connections::new(&store);
        let connection = connections.get(request_for_setup.connection)?;
        let password = connections.password(connection.id)?;
        let policy = match request_for_setup.engine {
            Some(policy) => policy,
            None => settings::engine(&store)?,
        };
        let template = settings::image_template(&store)?;
        let root = settings::backup_root(&store)?;
        // The record and its run lock appear together: a recovery in another process never
        // sees this run without its lock held.
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
            request_for_setup.schedule,
            request_for_setup.trigger,
            &request_for_setup.options,
        )?;
        let lock = RunLock::acquire(&data_dir, id).map_err(|e| {
            Problem::new(
                Code::RunLockFailed,
                format!("The backup could not be registered as running: {e}."),
                "Check that the data folder is writable, then try again.",
            )
        })?;
        tx.commit()?;
        drop(sql);
        Ok((connection, password, policy, template, root, id, lock))
    })
    .await?;
    progress.started(id, connection.id);
    tracing::info!(
        backup = id.0,
        connection = connection.id.0,
        "backup started"
    );

    let run = Run {
        store: store.clone(),
        id,
        progress: progress.clone(),
        started: Instant::now(),
    };
    let target = connections::target_of(&connection, password, DEFAULT_CONNECT_TIMEOUT);
    let slug = layout::slug(&connection.name, connection.id.0);
    let outcome = run
        .execute(
            connection.id,
            &target,
            &request.options,
            policy,
            &template,
            &root,
            &slug,
            &cancel,
        )
        .await;

    // The record is written last, once the file is final. Another process may hold SQLite's
    // write lock longer than its busy timeout (a long write, a backup tool): wait for it rather
    // than leave a finished backup unrecorded until the next start's recovery finds it.
    let outcome = Arc::new(outcome);
    let finishing = Instant::now();
    let record = loop {
        let (finish_store, outcome) = (store.clone(), outcome.clone());
        let attempt = run_blocking(move || {
            let sql = finish_store.connection();
            match outcome.as_ref() {
                Outcome::Completed { written, log } => {
                    repository::complete(&sql, id, written.bytes, &written.sha256, log)?
                }
                Outcome::Ended {
                    status,
                    problem,
                    log,
                } => repository::finish_without_file(&sql, id, *status, &problem.to_string(), log)?,
            }
            repository::get(&sql, id)
        })
        .await;
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
            other => break other,
        }
    };
    drop(lock);
    let record = record?;
    match record.status {
        BackupStatus::Completed => {
            tracing::info!(backup = id.0, bytes = record.size_bytes, "backup completed")
        }
        status => tracing::warn!(
            backup = id.0,
            status = status.as_str(),
            error = record.error_message.as_deref(),
            "backup did not complete"
        ),
    }
    Ok(record)
}

enum Outcome {
    Completed {
        written: Written,
        log: String,
    },
    Ended {
        status: BackupStatus,
        problem: Problem,
        log: String,
    },
}

impl Outcome {
    fn failed(problem: Problem, log: String) -> Outcome {
        Outcome::Ended {
            status: BackupStatus::Failed,
            problem,
            log,
        }
    }
}

struct Run {
    store: Arc<Store>,
    id: BackupId,
    progress: Arc<dyn Progress>,
    started: Instant,
}

impl Run {
    #[allow(clippy::too_many_arguments)]
    async fn execute(
        &self,
        target_connection: ConnectionId,
        target: &crate::pg::ConnectTarget,
        options: &DumpOptions,
        policy: EnginePolicy,
        template: &str,
        root: &Path,
        slug: &str,
        cancel: &CancellationToken,
    ) -> Outcome {
        self.progress.stage(self.id, "Detecting the server version");
        let server = match connections::test_target(target).await {
            Ok(server) => server,
            Err(problem) => return Outcome::failed(problem, String::new()),
        };
        let (store, id, found) = (self.store.clone(), self.id, server.clone());
        let _ = run_blocking(move || {
            repository::record_server_version(&store.connection(), id, &found.version)?;
            // What a backup learns about the server is what a test would: keep it current.
            Connections::new(&store).set_server_version(target_connection, &found)
        })
        .await;

        self.progress.stage(self.id, "Choosing pg_dump");
        let stage_progress = self.progress.clone();
        let stage = move |text: &str| stage_progress.stage(id, text);
        let runner = tokio::select! {
            runner = runner::choose(&self.store, policy, template, server.major, &stage) => runner,
            _ = cancel.cancelled() => return cancelled(String::new()),
        };
        let runner = match runner {
            Ok(runner) => runner,
            Err(problem) => return Outcome::failed(problem, String::new()),
        };
        let resolved = match options.resolve_compression(runner.major()) {
            Ok(resolved) => resolved,
            Err(problem) => return Outcome::failed(problem, String::new()),
        };

        let started_at = chrono::Utc::now();
        let path = layout::backup_path(
            root,
            slug,
            started_at,
            self.id.0,
            options.extension(&resolved),
        );
        let partial = layout::partial_path(&path);
        if let Some(parent) = path.parent().map(Path::to_path_buf) {
            let made =
                tokio::task::spawn_blocking(move || crate::store::create_private_dir(&parent))
                    .await
                    .unwrap_or_else(|e| Err(std::io::Error::other(e)));
            if let Err(error) = made {
                return Outcome::failed(backup_root_problem(root, &error), String::new());
            }
        }
        let details = RunDetails {
            file_path: &path.display().to_string(),
            compression: &options::describe(&resolved),
            runner: runner.kind(),
            runner_detail: &runner.detail(),
            pg_dump_version: runner.version(),
            server_version: &server.version,
        };
        if let Err(problem) =
            repository::record_details(&self.store.connection(), self.id, &details)
        {
            return Outcome::failed(problem, String::new());
        }

        self.progress.stage(
            self.id,
            &format!(
                "Dumping with pg_dump {} ({})",
                runner.version(),
                runner.detail()
            ),
        );
        let outcome = self
            .dump(&runner, target, options, &resolved, &partial, root, cancel)
            .await;
        let outcome = match outcome {
            Outcome::Completed { written, log } => {
                self.seal(&runner, options, &partial, &path, written, log)
                    .await
            }
            ended => ended,
        };
        if matches!(outcome, Outcome::Completed { .. }) {
            self.sync_folders(&path, root).await;
        }
        if !matches!(outcome, Outcome::Completed { .. }) {
            remove_partial(&partial);
        }
        outcome
    }

    #[allow(clippy::too_many_arguments)]
    async fn dump(
        &self,
        runner: &Runner,
        target: &crate::pg::ConnectTarget,
        options: &DumpOptions,
        resolved: &Resolved,
        partial: &Path,
        root: &Path,
        cancel: &CancellationToken,
    ) -> Outcome {
        let args = options.pg_dump_args(resolved);
        let app_zstd = match resolved {
            Resolved::AppZstd(level) => Some(*level),
            Resolved::PgDump(_) => None,
        };
        let (progress, id, started) = (self.progress.clone(), self.id, self.started);
        let report: ProgressFn =
            Arc::new(move |bytes| progress.bytes(id, bytes, started.elapsed()));
        let direct = options.format == DumpFormat::Directory
            || (app_zstd.is_none() && runner.writes_to_disk());
        let (exit, written) = if direct {
            // Created private (0600) before pg_dump opens it: it truncates and keeps the mode.
            if options.format != DumpFormat::Directory {
                if let Err(error) = crate::dump::sink::create_private_file(partial) {
                    return Outcome::failed(backup_root_problem(root, &error), String::new());
                }
            }
            let watcher = watch_size(partial.to_path_buf(), report);
            let exit = runner
                .dump(target, &args, Destination::Path(partial), cancel)
                .await;
            watcher.abort();
            let written = match &exit {
                Ok(exit) if exit.exit_code == 0 && !exit.cancelled => {
                    // pg_dump wrote it itself: private and durable before it is hashed.
                    let path = partial.to_path_buf();
                    Some(
                        tokio::task::spawn_blocking(move || {
                            restrict_tree(&path);
                            crate::dump::durable::sync_tree(&path)?;
                            hash_path(&path)
                        })
                        .await
                        .unwrap_or_else(|e| Err(std::io::Error::other(e))),
                    )
                }
                _ => None,
            };
            (exit, written)
        } else {
            let sink = match Sink::create(partial, app_zstd, report) {
                Ok(sink) => sink,
                Err(error) => {
                    return Outcome::failed(backup_root_problem(root, &error), String::new())
                }
            };
            let exit = runner
                .dump(target, &args, Destination::Stream(&sink), cancel)
                .await;
            (exit, Some(sink.finish().await))
        };
        let exit = match exit {
            Ok(exit) => exit,
            Err(problem) => return Outcome::failed(problem, String::new()),
        };
        let log = exit.stderr.clone();
        if exit.cancelled {
            return cancelled(log);
        }
        match written {
            Some(Err(error)) => Outcome::failed(backup_root_problem(root, &error), log),
            _ if exit.exit_code != 0 => Outcome::failed(pg_dump_problem(&exit, runner, root), log),
            Some(Ok(written)) => Outcome::Completed { written, log },
            None => Outcome::failed(
                Problem::new(
                    Code::BackupUnreadable,
                    "The backup could not be read back after writing.",
                    "Try again.",
                ),
                log,
            ),
        }
    }

    /// Checks an archive with pg_restore --list, then renames it to its final name.
    async fn seal(
        &self,
        runner: &Runner,
        options: &DumpOptions,
        partial: &Path,
        path: &Path,
        written: Written,
        log: String,
    ) -> Outcome {
        if options.format.is_archive() {
            self.progress
                .stage(self.id, "Checking the archive with pg_restore --list");
            match runner.restore_list(partial).await {
                Ok(exit) if exit.exit_code == 0 => {}
                Ok(exit) => {
                    let problem = Problem::new(
                        Code::ArchiveUnreadable,
                        format!(
                            "pg_restore could not read the new archive (exit {}): {}",
                            exit.exit_code,
                            error_lines(&exit.stderr)
                        ),
                        "The backup was discarded. Check the disk, then try again.",
                    );
                    return Outcome::failed(problem, log);
                }
                Err(problem) => return Outcome::failed(problem, log),
            }
        }
        if let Err(error) = std::fs::rename(partial, path) {
            return Outcome::failed(
                Problem::new(
                    Code::BackupRenameFailed,
                    format!(
                        "The finished backup could not be renamed to {}: {error}.",
                        path.display()
                    ),
                    "Check the backup folder's permissions, then try again.",
                ),
                log,
            );
        }
        Outcome::Completed { written, log }
    }

    /// Makes the rename, and any folder this run made up to the root, survive a power cut.
    async fn sync_folders(&self, path: &Path, root: &Path) {
        let (folder, root) = (
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
            root.to_path_buf(),
        );
        let synced =
            tokio::task::spawn_blocking(move || crate::dump::durable::sync_folders(&folder, &root))
                .await;
        if let Ok(Err(error)) | Err(error) = synced.map_err(std::io::Error::other) {
            tracing::warn!(backup = self.id.0, %error, "could not sync the backup's folder");
        }
    }
}

fn cancelled(log: String) -> Outcome {
    Outcome::Ended {
        status: BackupStatus::Cancelled,
        problem: Problem::new(
            Code::BackupCancelled,
            "The backup was cancelled.",
            "Start it again when you want.",
        ),
        log,
    }
}

/// pg_dump's own words, with what to do.
fn pg_dump_problem(exit: &Exit, runner: &Runner, root: &Path) -> Problem {
    let errors = error_lines(&exit.stderr);
    if exit.stderr.contains("No space left on device") {
        return backup_root_problem(root, &std::io::Error::from_raw_os_error(28));
    }
    if exit.stderr.contains("server version mismatch") {
        return Problem::new(
            Code::PgDumpTooOld,
            format!("pg_dump {} ({}) refused the server: {errors}", runner.version(), runner.detail()),
            "Use a pg_dump at least as new as the server (the image postgres:{major} for its major).",
        );
    }
    let message = if errors.is_empty() {
        format!(
            "pg_dump stopped with exit code {} and said nothing.",
            exit.exit_code
        )
    } else {
        format!("pg_dump failed (exit {}): {errors}", exit.exit_code)
    };
    Problem::new(
        Code::PgDumpFailed,
        message,
        "Read pg_dump's message above; fix what it names (connection, permissions, server), then try again.",
    )
}

/// The lines of pg_dump's stderr that carry the error, joined.
fn error_lines(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.contains("error")
                || l.contains("detail:")
                || l.contains("FATAL")
                || l.contains("hint:")
        })
        .collect();
    if lines.is_empty() {
        stderr
            .lines()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        lines.join(" ")
    }
}

fn backup_root_problem(root: &Path, error: &std::io::Error) -> Problem {
    if error.kind() == std::io::ErrorKind::StorageFull || error.raw_os_error() == Some(28) {
        Problem::new(
            Code::DiskFull,
            format!("The disk holding {} is full.", root.display()),
            "Free some space or choose another backup folder in Settings; the partial file was removed.",
        )
    } else {
        Problem::new(
            Code::BackupFolderUnwritable,
            format!(
                "The backup folder {} cannot be written: {error}.",
                root.display()
            ),
            "Make it writable, or choose another backup folder in Settings.",
        )
    }
}

fn remove_partial(partial: &Path) {
    let result = if partial.is_dir() {
        std::fs::remove_dir_all(partial)
    } else if partial.exists() {
        std::fs::remove_file(partial)
    } else {
        Ok(())
    };
    if let Err(error) = result {
        tracing::warn!(path = %partial.display(), %error, "could not remove a partial backup");
    }
}

/// Reports the size of what pg_dump is writing, a few times a second, until aborted.
fn watch_size(path: std::path::PathBuf, report: ProgressFn) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            let probe = path.clone();
            if let Ok(bytes) = tokio::task::spawn_blocking(move || size_on_disk(&probe)).await {
                report(bytes);
            }
        }
    })
}

fn size_on_disk(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| size_on_disk(&entry.path()))
            .sum(),
        Ok(meta) => meta.len(),
        Err(_) => 0,
    }
}

/// Files 0600, folders 0700 for what pg_dump wrote itself (the directory format).
fn restrict_tree(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
        if path.is_dir() {
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                restrict_tree(&entry.path());
            }
        }
    }
}
