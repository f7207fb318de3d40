//! A backup, end to end: resolve the connection, detect the server's version, choose the
//! pg_dump, write `<file>.partial`, check it, rename it, record it. Whatever happens, no
//! half-written file is left and no run is marked completed that did not complete.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::begin::{begin, patiently, BackupRequest, Setup};
use super::guard::{Guards, Watched};
use super::layout;
use super::model::Backup;
use super::partial_file::{remove_partial, restrict_tree, watch_size};
use super::progress::Progress;
use super::repository::{self, RunDetails};
use super::run_lock::RunLock;
use super::run_problems::{backup_root_problem, error_lines, pg_dump_problem};
use super::stall;
use super::unusual;
use crate::blocking::run_blocking;
use crate::connections::Connections;
use crate::dump::invocation::Destination;
use crate::dump::options::{self, DumpOptions, Resolved};
use crate::dump::runner::{self, Runner};
use crate::dump::sink::{hash_path, ProgressFn, Sink, Written};
use crate::model::{BackupId, BackupStatus, Code, ConnectionId, DumpFormat, Problem};
use crate::pg::{ConnectTarget, ServerVersion};
use crate::settings::EnginePolicy;
use crate::store::Store;

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
    let (lookup, connection) = (store.clone(), request.connection);
    let whole_server = run_blocking(move || Connections::new(&lookup).get(connection))
        .await?
        .scope
        .all_databases;
    if whole_server {
        return super::server_set::run_set(store, request, progress, cancel).await;
    }
    let (run, lock) = Run::start(store, request, progress, cancel).await?;
    let outcome = run.execute().await;
    let record = record_outcome(&run.store, run.id, outcome).await;
    drop(lock);
    let mut record = record?;
    unusual::judge_record(&run.store, &mut record).await;
    match record.status {
        BackupStatus::Completed => {
            tracing::info!(
                backup = run.id.0,
                bytes = record.size_bytes,
                "backup completed"
            )
        }
        status => tracing::warn!(
            backup = run.id.0,
            status = status.as_str(),
            error = record.error_message.as_deref(),
            "backup did not complete"
        ),
    }
    Ok(record)
}

/// The record is written last, once the file is final.
async fn record_outcome(
    store: &Arc<Store>,
    id: BackupId,
    outcome: Outcome,
) -> Result<Backup, Problem> {
    let outcome = Arc::new(outcome);
    patiently(store, id, move |sql| {
        match outcome.as_ref() {
            Outcome::Completed { written, log } => {
                repository::complete(sql, id, written.bytes, &written.sha256, log)?
            }
            Outcome::Ended {
                status,
                problem,
                log,
            } => repository::finish_without_file(sql, id, *status, &problem.to_string(), log)?,
        }
        repository::get(sql, id)
    })
    .await
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

/// A run ready to dump: its pg_dump, compression, final path and partial path.
struct Prepared {
    runner: Runner,
    resolved: Resolved,
    path: PathBuf,
    partial: PathBuf,
}

/// One run under way: its record's id, what it backs up, how, and where.
struct Run {
    store: Arc<Store>,
    id: BackupId,
    progress: Arc<dyn Progress>,
    started: Instant,
    connection: ConnectionId,
    target: ConnectTarget,
    options: DumpOptions,
    policy: EnginePolicy,
    template: String,
    /// The backup folder.
    root: PathBuf,
    /// The connection's folder name under the root.
    slug: String,
    /// How long pg_dump may write nothing before the run ends, explained.
    stall_after: std::time::Duration,
    time_limit: Option<std::time::Duration>,
    cancel: CancellationToken,
}

impl Run {
    /// Begins the run (`begin`) off the async runtime.
    async fn start(
        store: Arc<Store>,
        request: BackupRequest,
        progress: Arc<dyn Progress>,
        cancel: CancellationToken,
    ) -> Result<(Run, RunLock), Problem> {
        let setup_store = store.clone();
        let setup = request.clone();
        let setup = run_blocking(move || begin(&setup_store, &setup)).await?;
        let target = setup.target();
        let Setup {
            connection,
            policy,
            template,
            root,
            stall_after,
            id,
            lock,
            ..
        } = setup;
        progress.started(id, connection.id);
        tracing::info!(
            backup = id.0,
            connection = connection.id.0,
            "backup started"
        );
        let run = Run {
            store,
            id,
            progress,
            started: Instant::now(),
            connection: connection.id,
            target,
            stall_after,
            time_limit: request.time_limit,
            slug: layout::slug(&connection.name, connection.id.0),
            options: request.options,
            policy,
            template,
            root,
            cancel,
        };
        Ok((run, lock))
    }

    /// The run's steps, each ending the run with its outcome when it fails.
    async fn execute(&self) -> Outcome {
        match self.prepare().await {
            Ok(prepared) => self.dump_and_seal(&prepared).await,
            Err(ended) => ended,
        }
    }

    /// Everything before pg_dump starts: the server's version, the pg_dump for it, the
    /// compression it can do, the file's folder, and all of it recorded on the run.
    async fn prepare(&self) -> Result<Prepared, Outcome> {
        let failed = |problem| Outcome::failed(problem, String::new());
        let server = self.detect_server().await.map_err(failed)?;
        let runner = self.choose_runner(server.major).await?;
        let resolved = self
            .options
            .resolve_compression(runner.major())
            .map_err(failed)?;
        let path = layout::backup_path(
            &self.root,
            &self.slug,
            chrono::Utc::now(),
            self.id.0,
            self.options.extension(&resolved),
        );
        if let Some(parent) = path.parent().map(Path::to_path_buf) {
            let made =
                tokio::task::spawn_blocking(move || crate::store::create_private_dir(&parent))
                    .await
                    .unwrap_or_else(|e| Err(std::io::Error::other(e)));
            made.map_err(|error| failed(backup_root_problem(&self.root, &error)))?;
        }
        let details = RunDetails {
            file_path: &path.display().to_string(),
            compression: &options::describe(&resolved),
            runner: runner.kind(),
            runner_detail: &runner.detail(),
            pg_dump_version: runner.version(),
            server_version: &server.version,
        };
        repository::record_details(&self.store.connection(), self.id, &details).map_err(failed)?;
        Ok(Prepared {
            partial: layout::partial_path(&path),
            path,
            runner,
            resolved,
        })
    }

    /// Connects, reads the server's version (and its tables' live rows, for judging the backup
    /// unusual later), and records them on the run and the connection.
    async fn detect_server(&self) -> Result<ServerVersion, Problem> {
        self.progress.stage(self.id, "Detecting the server version");
        let client = crate::pg::connect(&self.target).await?;
        let server = crate::pg::detect_server_version(&client).await?;
        // Statistics the user may not read only leave the row check out.
        let rows = crate::pg::table_stats::live_rows(&client).await.ok();
        drop(client);
        let (store, id, found, connection) =
            (self.store.clone(), self.id, server.clone(), self.connection);
        let _ = run_blocking(move || {
            repository::record_server_version(&store.connection(), id, &found.version)?;
            if let Some(rows) = &rows {
                repository::record_table_rows(&store.connection(), id, rows)?;
            }
            // What a backup learns about the server is what a test would: keep it current.
            Connections::new(&store).set_server_version(connection, &found)
        })
        .await;
        Ok(server)
    }

    async fn choose_runner(&self, server_major: u32) -> Result<Runner, Outcome> {
        self.progress.stage(self.id, "Choosing pg_dump");
        let (stage_progress, id) = (self.progress.clone(), self.id);
        let stage = move |text: &str| stage_progress.stage(id, text);
        let chosen = runner::choose(
            &self.store,
            self.policy,
            &self.template,
            server_major,
            &stage,
        );
        let runner = tokio::select! {
            runner = chosen => runner,
            _ = self.cancel.cancelled() => return Err(cancelled(String::new())),
        };
        runner.map_err(|problem| Outcome::failed(problem, String::new()))
    }

    /// pg_dump into the partial file, the checks, the rename; the partial file goes when the
    /// run does not complete.
    async fn dump_and_seal(&self, prepared: &Prepared) -> Outcome {
        let Prepared {
            runner,
            resolved,
            path,
            partial,
        } = prepared;
        self.progress.stage(
            self.id,
            &format!(
                "Dumping with pg_dump {} ({})",
                runner.version(),
                runner.detail()
            ),
        );
        let outcome = match self.dump(runner, resolved, partial).await {
            Outcome::Completed { written, log } => {
                self.seal(runner, partial, path, written, log).await
            }
            ended => ended,
        };
        if matches!(outcome, Outcome::Completed { .. }) {
            self.sync_folders(path).await;
        } else {
            remove_partial(partial);
        }
        outcome
    }

    /// pg_dump into `partial`, watched for stalls: a run quiet past its stall limit ends as
    /// failed, with what its session was waiting for.
    async fn dump(&self, runner: &Runner, resolved: &Resolved, partial: &Path) -> Outcome {
        let (progress, id, started) = (self.progress.clone(), self.id, self.started);
        let seen = Arc::new(stall::Watch::new());
        let watched = seen.clone();
        let report: ProgressFn = Arc::new(move |bytes| {
            watched.saw(bytes);
            progress.bytes(id, bytes, started.elapsed())
        });
        // The guards cancel through a child token: the user's cancel still reaches pg_dump.
        let cancel = &self.cancel.child_token();
        let guards = Guards::start(
            Watched {
                id,
                target: &self.target,
                progress: self.progress.clone(),
                started,
                stall_after: self.stall_after,
                time_limit: self.time_limit,
            },
            seen,
            cancel,
        );
        let outcome = self
            .dump_watched(runner, resolved, partial, report, cancel)
            .await;
        match (guards.finish(), outcome) {
            (Some(problem), Outcome::Ended { log, .. }) => Outcome::failed(problem, log),
            (_, outcome) => outcome,
        }
    }

    /// pg_dump into `partial`: streamed through the app's sink, or written by pg_dump itself
    /// (the directory format, or no app compression with a local pg_dump).
    async fn dump_watched(
        &self,
        runner: &Runner,
        resolved: &Resolved,
        partial: &Path,
        report: ProgressFn,
        cancel: &CancellationToken,
    ) -> Outcome {
        let (target, options, root) = (&self.target, &self.options, self.root.as_path());
        let args = options.pg_dump_args(resolved);
        let app_zstd = match resolved {
            Resolved::AppZstd(level) => Some(*level),
            Resolved::PgDump(_) => None,
        };
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
        partial: &Path,
        path: &Path,
        written: Written,
        log: String,
    ) -> Outcome {
        if self.options.format.is_archive() {
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
    async fn sync_folders(&self, path: &Path) {
        let (folder, root) = (
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
            self.root.clone(),
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
