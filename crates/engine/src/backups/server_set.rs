//! A whole server's backup, a set: the databases its connection takes (read now, so one made
//! yesterday is in today's set), each dumped into `<set>.partial/NNN_<name>.dump` through the
//! single backup's lifecycle, the globals beside them, a manifest, then the folder renamed to
//! `<set>` and recorded. `completed` when every part is, `partial` when some database (or the
//! globals) failed, each failure in pg_dump's words; `failed`, with no folder left, when no
//! database could be dumped. Nothing is left out silently: what the patterns or the server
//! left out is in the manifest, with why.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::begin::{self, BackupRequest};
use super::guard::{Guards, Watched};
use super::layout;
use super::manifest::{self, Manifest};
use super::model::Backup;
use super::partial_file::{remove_partial, restrict_tree, watch_size};
use super::parts::{self, PartRecord};
use super::progress::Progress;
use super::repository::{self, RunDetails};
use super::run_problems::error_lines;
use super::stall;
use crate::blocking::run_blocking;
use crate::connections::databases::{self, DatabaseChoice};
use crate::connections::{self, Connections};
use crate::dump::runner::{self, Runner};
use crate::dump::server_set::{self, Group, PartJob, GLOBALS_FILE, GLOBALS_LOG, GLOBALS_PASSWORDS};
use crate::dump::sink::{hash_folder_knowing, hash_path, ProgressFn};
use crate::model::{BackupId, BackupStatus, Code, Problem};
use crate::pg::ConnectTarget;
use crate::settings::EnginePolicy;
use crate::store::Store;

/// At most this many dump scripts (containers) run at once for one set: two streams keep a
/// server busy without taking every slot of the app.
const STREAMS: usize = 2;

/// How a set's run ended, before it is recorded.
enum SetOutcome {
    /// The folder is final: every part, or some.
    Written {
        status: BackupStatus,
        bytes: u64,
        sha256: String,
        error: Option<String>,
        parts: Vec<PartRecord>,
    },
    Ended {
        status: BackupStatus,
        problem: Problem,
        parts: Vec<PartRecord>,
    },
}

/// One set's run under way.
struct SetRun {
    store: Arc<Store>,
    id: BackupId,
    progress: Arc<dyn Progress>,
    started: Instant,
    connection: connections::Connection,
    target: ConnectTarget,
    policy: EnginePolicy,
    template: String,
    root: PathBuf,
    slug: String,
    stall_after: std::time::Duration,
    time_limit: Option<std::time::Duration>,
    cancel: CancellationToken,
}

/// Runs a set for a whole-server connection; as `run_backup`, `Ok` holds the record however
/// the run ended.
pub(super) async fn run_set(
    store: Arc<Store>,
    request: BackupRequest,
    progress: Arc<dyn Progress>,
    cancel: CancellationToken,
) -> Result<Backup, Problem> {
    let (begin_store, begin_request) = (store.clone(), request.clone());
    let setup = run_blocking(move || begin::begin(&begin_store, &begin_request)).await?;
    progress.started(setup.id, setup.connection.id);
    tracing::info!(
        backup = setup.id.0,
        connection = setup.connection.id.0,
        "server set started"
    );
    let set = SetRun {
        store,
        id: setup.id,
        progress,
        started: Instant::now(),
        target: setup.target(),
        slug: layout::slug(&setup.connection.name, setup.connection.id.0),
        connection: setup.connection,
        policy: setup.policy,
        template: setup.template,
        root: setup.root,
        stall_after: setup.stall_after,
        time_limit: request.time_limit,
        cancel,
    };
    let outcome = set.execute().await;
    let record = set.record(outcome).await;
    drop(setup.lock);
    let mut record = record?;
    // Sets are judged against earlier sets of the connection: their size and duration.
    super::unusual::judge_record(&set.store, &mut record).await;
    tracing::info!(
        backup = record.id.0,
        status = record.status.as_str(),
        parts = record.parts.len(),
        "server set ended"
    );
    Ok(record)
}

impl SetRun {
    async fn execute(&self) -> SetOutcome {
        let ended = |problem: Problem| SetOutcome::Ended {
            status: BackupStatus::Failed,
            problem,
            parts: Vec::new(),
        };
        self.progress
            .stage(self.id, "Reading the server's databases");
        let (server, choices) = match self.read_server().await {
            Ok(found) => found,
            Err(problem) => return ended(problem),
        };
        if let Err(problem) = databases::ensure_some(&choices) {
            return ended(problem);
        }
        self.progress.stage(self.id, "Choosing pg_dump");
        let stage = {
            let (progress, id) = (self.progress.clone(), self.id);
            move |text: &str| progress.stage(id, text)
        };
        let chosen = runner::choose(
            &self.store,
            self.policy,
            &self.template,
            server.major,
            &stage,
        );
        let runner = tokio::select! {
            runner = chosen => runner,
            _ = self.cancel.cancelled() => return SetOutcome::Ended {
                status: BackupStatus::Cancelled,
                problem: cancelled(),
                parts: Vec::new(),
            },
        };
        let runner = match runner {
            Ok(runner) => runner,
            Err(problem) => return ended(problem),
        };
        let path =
            layout::backup_path(&self.root, &self.slug, chrono::Utc::now(), self.id.0, "set");
        let partial = layout::partial_path(&path);
        let jobs = jobs(&choices);
        if let Err(problem) = self
            .prepare(&runner, &server.version, &path, &partial, &jobs)
            .await
        {
            return ended(problem);
        }
        let outcome = self.dump(&runner, &partial, &jobs).await;
        let (status, problem) = match outcome {
            Dumped::All => (None, None),
            Dumped::Stopped(status, problem) => (Some(status), Some(problem)),
        };
        let parts = read_parts(&partial, &jobs, problem.as_ref());
        if let (Some(status), Some(problem)) = (status, problem) {
            remove_partial(&partial);
            return SetOutcome::Ended {
                status,
                problem,
                parts,
            };
        }
        self.seal(&runner, &server.version, &choices, parts, &partial, &path)
            .await
    }

    /// The server's version (recorded on the run and the connection) and its databases.
    async fn read_server(
        &self,
    ) -> Result<(crate::pg::ServerVersion, Vec<DatabaseChoice>), Problem> {
        let client = crate::pg::connect(&self.target).await?;
        let server = crate::pg::detect_server_version(&client).await?;
        let choices = databases::choices_on(&client, &self.connection.scope).await?;
        drop(client);
        let (store, id, found, connection) = (
            self.store.clone(),
            self.id,
            server.clone(),
            self.connection.id,
        );
        let _ = run_blocking(move || {
            repository::record_server_version(&store.connection(), id, &found.version)?;
            Connections::new(&store).set_server_version(connection, &found)
        })
        .await;
        Ok((server, choices))
    }

    /// The partial folder, and the run's details and parts recorded as running.
    async fn prepare(
        &self,
        runner: &Runner,
        server_version: &str,
        path: &Path,
        partial: &Path,
        jobs: &[(PartJob, Option<i64>)],
    ) -> Result<(), Problem> {
        let folder = partial.to_path_buf();
        let made = tokio::task::spawn_blocking(move || crate::store::create_private_dir(&folder))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        made.map_err(|error| super::run_problems::backup_root_problem(&self.root, &error))?;
        let mut running = vec![PartRecord::running(0, None, None)];
        running.extend(
            jobs.iter()
                .map(|(job, size)| PartRecord::running(job.position, Some(&job.database), *size)),
        );
        let (store, id) = (self.store.clone(), self.id);
        let (file_path, detail, version, server, kind) = (
            path.display().to_string(),
            runner.detail(),
            runner.version().to_string(),
            server_version.to_string(),
            runner.kind(),
        );
        run_blocking(move || {
            let sql = store.connection();
            let details = RunDetails {
                file_path: &file_path,
                compression: "pg_dump custom format (its default compression)",
                runner: kind,
                runner_detail: &detail,
                pg_dump_version: &version,
                server_version: &server,
            };
            repository::record_details(&sql, id, &details)?;
            parts::put(&sql, id, &running)
        })
        .await
    }

    /// The dump scripts, at most `STREAMS` at once, watched for stalls and the time limit.
    async fn dump(
        &self,
        runner: &Runner,
        partial: &Path,
        jobs: &[(PartJob, Option<i64>)],
    ) -> Dumped {
        self.progress.stage(
            self.id,
            &format!(
                "Dumping {} databases and the globals with pg_dump {} ({})",
                jobs.len(),
                runner.version(),
                runner.detail()
            ),
        );
        let groups = groups(jobs);
        let (progress, id, started) = (self.progress.clone(), self.id, self.started);
        let seen = Arc::new(stall::Watch::new());
        let watched = seen.clone();
        let report: ProgressFn = Arc::new(move |bytes| {
            watched.saw(bytes);
            progress.bytes(id, bytes, started.elapsed())
        });
        let watcher = watch_size(partial.to_path_buf(), report);
        let cancel = self.cancel.child_token();
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
            &cancel,
        );
        let runs = groups
            .iter()
            .map(|group| server_set::dump_group(runner, &self.target, partial, group, &cancel));
        let exits = futures_util::future::join_all(runs).await;
        watcher.abort();
        if let Some(problem) = guards.finish() {
            return Dumped::Stopped(BackupStatus::Failed, problem);
        }
        if self.cancel.is_cancelled() {
            return Dumped::Stopped(BackupStatus::Cancelled, cancelled());
        }
        // A script that could not run at all (Docker gone): its parts fail with that reason.
        if let Some(problem) = exits.into_iter().find_map(Result::err) {
            return Dumped::Stopped(BackupStatus::Failed, problem);
        }
        Dumped::All
    }

    /// The manifest, the folder made durable and renamed, and the set's status.
    async fn seal(
        &self,
        runner: &Runner,
        server_version: &str,
        choices: &[DatabaseChoice],
        parts: Vec<PartRecord>,
        partial: &Path,
        path: &Path,
    ) -> SetOutcome {
        let databases_done = parts
            .iter()
            .filter(|p| p.database.is_some() && p.status == BackupStatus::Completed)
            .count();
        let failures: Vec<String> = parts
            .iter()
            .filter(|p| p.status != BackupStatus::Completed)
            .map(|p| {
                format!(
                    "{}: {}",
                    p.database.as_deref().unwrap_or("the globals"),
                    p.error_message.as_deref().unwrap_or("failed")
                )
            })
            .collect();
        if databases_done == 0 {
            remove_partial(partial);
            return SetOutcome::Ended {
                status: BackupStatus::Failed,
                problem: Problem::new(
                    Code::PgDumpFailed,
                    format!("No database could be dumped: {}", failures.join("; ")),
                    "Fix what pg_dump says, then back up again.",
                ),
                parts,
            };
        }
        let manifest = Manifest::new(
            self.id,
            &self.connection.name,
            server_version,
            runner.version(),
            &parts,
            choices,
        );
        let known = parts::hashed(&parts);
        let (folder, final_path, root) =
            (partial.to_path_buf(), path.to_path_buf(), self.root.clone());
        let sealed = tokio::task::spawn_blocking(move || -> std::io::Result<_> {
            manifest::write(&folder, &manifest)?;
            restrict_tree(&folder);
            crate::dump::durable::sync_tree(&folder)?;
            std::fs::rename(&folder, &final_path)?;
            let parent = final_path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            crate::dump::durable::sync_folders(&parent, &root)?;
            // The parts were hashed as they were made: only the manifest is read again.
            hash_folder_knowing(&final_path, &known)
        })
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        let written = match sealed {
            Ok(written) => written,
            Err(error) => {
                remove_partial(partial);
                return SetOutcome::Ended {
                    status: BackupStatus::Failed,
                    problem: super::run_problems::backup_root_problem(&self.root, &error),
                    parts,
                };
            }
        };
        let status = if failures.is_empty() {
            BackupStatus::Completed
        } else {
            BackupStatus::Partial
        };
        SetOutcome::Written {
            status,
            bytes: written.bytes,
            sha256: written.sha256,
            error: (!failures.is_empty()).then(|| {
                format!(
                    "{} of {} parts failed: {}",
                    failures.len(),
                    parts.len(),
                    failures.join("; ")
                )
            }),
            parts,
        }
    }

    /// The set's record and parts, written last, waiting out a busy database.
    async fn record(&self, outcome: SetOutcome) -> Result<Backup, Problem> {
        let (store, id) = (self.store.clone(), self.id);
        let outcome = Arc::new(outcome);
        begin::patiently(&store, id, move |sql| {
            match outcome.as_ref() {
                SetOutcome::Written {
                    status,
                    bytes,
                    sha256,
                    error,
                    parts: found,
                } => {
                    repository::complete(sql, id, *bytes, sha256, "")?;
                    repository::set_status(sql, id, *status, error.as_deref())?;
                    parts::put(sql, id, found)?;
                }
                SetOutcome::Ended {
                    status,
                    problem,
                    parts: found,
                } => {
                    repository::finish_without_file(sql, id, *status, &problem.to_string(), "")?;
                    if !found.is_empty() {
                        parts::put(sql, id, found)?;
                    }
                }
            }
            repository::get(sql, id)
        })
        .await
    }
}

/// How the dump scripts ended as a whole.
enum Dumped {
    /// Every script ran to its end (each part's outcome is in its files).
    All,
    /// Stopped (stall, time limit, cancel) or could not run.
    Stopped(BackupStatus, Problem),
}

fn cancelled() -> Problem {
    Problem::new(
        Code::BackupCancelled,
        "The backup was cancelled.",
        "Start it again when you want.",
    )
}

/// The databases taken, numbered from 1 in name order, with their sizes.
fn jobs(choices: &[DatabaseChoice]) -> Vec<(PartJob, Option<i64>)> {
    choices
        .iter()
        .filter(|c| c.taken)
        .enumerate()
        .map(|(index, choice)| {
            let position = index as u32 + 1;
            (
                PartJob {
                    position,
                    database: choice.name.clone(),
                    file_name: format!(
                        "{position:03}_{}.dump",
                        layout::slug(&choice.name, i64::from(position))
                    ),
                },
                choice.size_bytes,
            )
        })
        .collect()
}

/// Splits the jobs into at most `STREAMS` groups of about equal size (largest first, each to
/// the lightest group); the first group also dumps the globals.
fn groups(jobs: &[(PartJob, Option<i64>)]) -> Vec<Group> {
    let count = STREAMS.min(jobs.len()).max(1);
    let mut sorted: Vec<&(PartJob, Option<i64>)> = jobs.iter().collect();
    sorted.sort_by_key(|(_, size)| std::cmp::Reverse(size.unwrap_or(0)));
    let mut buckets: Vec<(i64, Vec<PartJob>)> = vec![(0, Vec::new()); count];
    for (job, size) in sorted {
        if let Some(lightest) = buckets.iter_mut().min_by_key(|(load, _)| *load) {
            lightest.0 += size.unwrap_or(0).max(1);
            lightest.1.push(job.clone());
        }
    }
    buckets
        .into_iter()
        .enumerate()
        .map(|(number, (_, mut parts))| {
            parts.sort_by_key(|p| p.position);
            Group {
                number: number as u32,
                globals: number == 0,
                parts,
            }
        })
        .collect()
}

/// What the scripts left: each part completed (file there, hashed) or failed with its log's
/// words (or `stopped` when the run ended before it).
fn read_parts(
    folder: &Path,
    jobs: &[(PartJob, Option<i64>)],
    stopped: Option<&Problem>,
) -> Vec<PartRecord> {
    let not_run = || {
        stopped.map_or_else(
            || "pg_dump did not run for it".to_string(),
            |p| format!("not dumped: {}", p.message),
        )
    };
    let log = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap_or_default();
    let statuses: std::collections::HashMap<u32, i64> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".dbm-status-"))
        .flat_map(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .lines()
                .filter_map(|line| {
                    let (position, code) = line.split_once(' ')?;
                    Some((position.parse().ok()?, code.trim().parse().ok()?))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut found = Vec::with_capacity(jobs.len() + 1);
    let globals_file = folder.join(GLOBALS_FILE);
    let globals_log = log(GLOBALS_LOG);
    // A stopped set's folder goes: nothing in it is read again, nothing is said to be kept.
    let kept = |file: &Path| stopped.is_none() && file.is_file();
    let globals_hash = kept(&globals_file).then(|| hash_path(&globals_file));
    found.push(match globals_hash {
        Some(Ok(written)) => PartRecord {
            status: BackupStatus::Completed,
            file_name: Some(GLOBALS_FILE.to_string()),
            size_bytes: Some(written.bytes as i64),
            sha256: Some(written.sha256),
            role_passwords: Some(log(GLOBALS_PASSWORDS).trim() == "yes"),
            // The first attempt's refusal, when the passwords could not be read.
            error_message: None,
            log: (!globals_log.is_empty()).then(|| globals_log.clone()),
            ..PartRecord::running(0, None, None)
        },
        _ => PartRecord {
            status: BackupStatus::Failed,
            error_message: Some(if globals_log.trim().is_empty() {
                not_run()
            } else {
                error_lines(&globals_log)
            }),
            log: Some(globals_log),
            ..PartRecord::running(0, None, None)
        },
    });
    for (job, size) in jobs {
        let file = folder.join(&job.file_name);
        let part_log = log(&format!(".dbm-{}.log", job.position));
        let base = PartRecord::running(job.position, Some(&job.database), *size);
        let dumped = statuses.get(&job.position) == Some(&0);
        let hashed = (dumped && kept(&file)).then(|| hash_path(&file));
        found.push(match hashed {
            Some(Ok(written)) => PartRecord {
                status: BackupStatus::Completed,
                file_name: Some(job.file_name.clone()),
                size_bytes: Some(written.bytes as i64),
                sha256: Some(written.sha256),
                log: (!part_log.is_empty()).then_some(part_log),
                ..base
            },
            _ => PartRecord {
                status: if stopped.is_some_and(|p| p.code == Code::BackupCancelled) {
                    BackupStatus::Cancelled
                } else {
                    BackupStatus::Failed
                },
                error_message: Some(match statuses.get(&job.position) {
                    Some(0) => match stopped {
                        Some(problem) => format!("dumped, then not kept: {}", problem.message),
                        None => "its archive could not be read back".to_string(),
                    },
                    Some(90) => format!(
                        "pg_restore could not read its archive: {}",
                        error_lines(&part_log)
                    ),
                    Some(_) => error_lines(&part_log),
                    None => not_run(),
                }),
                log: Some(part_log),
                ..base
            },
        });
    }
    // The scripts' own files are not part of the set.
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(".dbm-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    found
}
