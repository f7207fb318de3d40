//! After a crash: no run stays "running", no half-written file of ours stays on disk, no
//! finished backup stays unknown, and no container of a dead process keeps running. Runs another
//! live process is doing (their run lock is held) are left alone, and so are their files; a file
//! the app did not make is never touched.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backups::{repository, run_lock, Backup, BackupKind};
use crate::blocking::run_blocking;

use crate::dump::sink::hash_path;
use crate::model::{BackupId, BackupStatus, Code, DumpFormat, Problem};
use crate::settings;
use crate::store::Store;

use super::owned::{self, Owned};
use crate::backups::layout;

/// What start-up cleaned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Dead runs marked interrupted.
    pub interrupted_runs: usize,
    /// `.partial` files and folders of dead runs removed.
    pub removed_partials: usize,
    /// Dead runs whose finished file passed the checks: now recorded completed.
    pub recorded_completed: usize,
    /// Dead runs whose finished file failed the checks: removed, the run interrupted.
    pub removed_unproven: usize,
    /// Containers of dead processes removed.
    pub removed_containers: usize,
}

/// A dead run's finished file, waiting for its checks.
struct Finished {
    backup: Backup,
    path: PathBuf,
}

/// Cleans up after processes that died: call at every start (app, daemon, any `dbm` command
/// that runs backups). Containers of dead processes go first, so that none is still writing.
pub async fn recover(store: &Arc<Store>) -> Result<Recovered, Problem> {
    let mut recovered = Recovered::default();
    if let Ok(docker) = crate::docker::connect().await {
        recovered.removed_containers = crate::docker::remove_orphans(&docker).await;
    }
    let walk_store = store.clone();
    let (interrupted, finished, removed_partials) = run_blocking(move || {
        let roots = settings::backup_roots(&walk_store)?;
        let (interrupted, finished) = settle_dead_runs(&walk_store, &roots)?;
        let removed = remove_dead_partials(&walk_store, &roots);
        Ok((interrupted, finished, removed))
    })
    .await?;
    recovered.interrupted_runs = interrupted;
    recovered.removed_partials = removed_partials;
    for finished in finished {
        let proof = if finished.backup.kind == BackupKind::Server {
            prove_set(store, &finished).await
        } else {
            prove(store, &finished).await
        };
        match proof {
            Proof::Good {
                bytes,
                sha256,
                partial,
            } => {
                let id = finished.backup.id;
                let record_store = store.clone();
                run_blocking(move || {
                    let sql = record_store.connection();
                    repository::complete_recovered(&sql, id, bytes, &sha256)?;
                    match partial {
                        Some(why) => {
                            repository::set_status(&sql, id, BackupStatus::Partial, Some(&why))
                        }
                        None => Ok(()),
                    }
                })
                .await?;
                tracing::warn!(backup = id.0, path = %finished.path.display(), "recovery: a finished backup of a run that died passed its checks and is recorded completed");
                recovered.recorded_completed += 1;
            }
            Proof::Bad(why) => {
                let id = finished.backup.id;
                let removal = owned::remove(&finished.path);
                let record_store = store.clone();
                let message = format!(
                    "The app stopped while finishing this backup; its file failed the check ({why}) and was removed."
                );
                run_blocking(move || {
                    repository::interrupt_with(&record_store.connection(), id, &message)
                })
                .await?;
                match removal {
                    Ok(()) => {
                        tracing::warn!(backup = id.0, path = %finished.path.display(), %why, "recovery: a finished file of a run that died failed its checks and was removed")
                    }
                    Err(error) => {
                        tracing::warn!(backup = id.0, path = %finished.path.display(), %why, %error, "recovery: a finished file failed its checks and could not be removed")
                    }
                }
                recovered.removed_unproven += 1;
            }
            Proof::Deferred(problem) => {
                // Docker down and no local tools: the record stays for the next start to check.
                tracing::warn!(backup = finished.backup.id.0, %problem, "recovery: a finished backup of a run that died cannot be checked now; left for the next start");
            }
        }
    }
    if recovered != Recovered::default() {
        tracing::warn!(?recovered, "cleaned up after processes that stopped");
    }
    Ok(recovered)
}

/// One run found dead (its lock free) where the caller cannot wait for a whole recovery (the
/// scheduler deciding whether a connection is busy): without a finished file it becomes
/// interrupted at once; with one it is left to `recover`, which checks the file.
pub fn settle_dead_run(store: &Store, id: BackupId) -> Result<(), Problem> {
    let data_dir = store.path().parent().unwrap_or(Path::new("."));
    if run_lock::is_alive(data_dir, id) {
        return Ok(());
    }
    let roots = settings::backup_roots(store)?;
    let backup = repository::get(&store.connection(), id)?;
    let finished = backup.file_path.as_deref().is_some_and(|path| {
        matches!(
            owned::check(&roots, id, Path::new(path), false),
            Ok(Owned::Present(_))
        )
    });
    if !finished {
        repository::interrupt(&store.connection(), id)?;
    }
    Ok(())
}

/// Dead runs: those whose final file is there are returned to be checked; the rest become
/// interrupted.
fn settle_dead_runs(store: &Store, roots: &[PathBuf]) -> Result<(usize, Vec<Finished>), Problem> {
    let data_dir = store.path().parent().unwrap_or(Path::new("."));
    let mut interrupted = 0;
    let mut finished = Vec::new();
    // Bound first: a guard in the `for` expression would live through the loop and deadlock.
    let unfinished = repository::unfinished(&store.connection())?;
    for (id, file_path) in unfinished {
        if run_lock::is_alive(data_dir, id) {
            continue;
        }
        let final_file = file_path.as_deref().map(Path::new).and_then(|path| {
            match owned::check(roots, id, path, false) {
                Ok(Owned::Present(path)) => Some(path),
                Ok(Owned::Gone) => None,
                Err(problem) => {
                    tracing::warn!(backup = id.0, %problem, "recovery left a recorded path alone");
                    None
                }
            }
        });
        match final_file {
            Some(path) => finished.push(Finished {
                backup: repository::get(&store.connection(), id)?,
                path,
            }),
            None => {
                repository::interrupt(&store.connection(), id)?;
                interrupted += 1;
            }
        }
    }
    Ok((interrupted, finished))
}

/// Removes the `.partial` files and folders of dead runs: only names the app makes, at the depth
/// it makes them (`<root>/<slug>/<YYYY>/<MM>/`), of a run this data dir recorded with that very
/// file, each after checking that run's lock at that moment.
fn remove_dead_partials(store: &Store, roots: &[PathBuf]) -> usize {
    let data_dir = store.path().parent().unwrap_or(Path::new("."));
    let mut removed = 0;
    for root in roots {
        for (path, name) in layout_entries(root) {
            let Some(parsed) = layout::parse_name(&name).filter(|p| p.partial) else {
                continue;
            };
            let id = BackupId(parsed.backup_id);
            let Ok(backup) = repository::get(&store.connection(), id) else {
                continue;
            };
            let recorded = backup
                .file_path
                .as_deref()
                .map(|p| layout::partial_path(Path::new(p)));
            let same_file = recorded
                .as_deref()
                .and_then(Path::file_name)
                .is_some_and(|recorded| recorded == name.as_str());
            if !same_file || run_lock::is_alive(data_dir, id) {
                continue;
            }
            match owned::remove(&path) {
                Ok(()) => {
                    tracing::warn!(backup = id.0, path = %path.display(), "recovery removed the partial file of a run that died");
                    removed += 1;
                }
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "could not remove a partial backup")
                }
            }
        }
    }
    removed
}

/// Every entry at `<root>/<slug>/<YYYY>/<MM>/<name>` whose folders are real folders (not links)
/// with the layout's names.
fn layout_entries(root: &Path) -> Vec<(PathBuf, String)> {
    fn subdirs(dir: &Path, keep: &dyn Fn(&str) -> bool) -> Vec<(PathBuf, String)> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                keep(&name).then(|| (e.path(), name))
            })
            .collect()
    }
    let digits = |len: usize| {
        move |name: &str| name.len() == len && name.bytes().all(|b| b.is_ascii_digit())
    };
    let mut found = Vec::new();
    for (slug_dir, slug) in subdirs(root, &|name| !name.starts_with('.')) {
        for (year_dir, _) in subdirs(&slug_dir, &digits(4)) {
            for (month_dir, _) in subdirs(&year_dir, &digits(2)) {
                let Ok(entries) = std::fs::read_dir(&month_dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                        continue;
                    };
                    if layout::parse_name(&name).is_some_and(|p| p.slug == slug) {
                        found.push((entry.path(), name));
                    }
                }
            }
        }
    }
    found
}

enum Proof {
    Good {
        bytes: u64,
        sha256: String,
        /// A set some of whose databases failed: why.
        partial: Option<String>,
    },
    Bad(String),
    /// The checks could not run now (no tools).
    Deferred(Problem),
}

/// A set's folder against its manifest; when it holds, its parts are recorded here (the
/// caller then records the set completed, and its status as the parts say).
async fn prove_set(store: &Arc<Store>, finished: &Finished) -> Proof {
    let folder = finished.path.clone();
    let proven = match tokio::task::spawn_blocking(move || super::set_recovery::prove(&folder))
        .await
    {
        Ok(Ok(proven)) => proven,
        Ok(Err(why)) => return Proof::Bad(why),
        Err(error) => return Proof::Deferred(Problem::new(Code::Internal, error.to_string(), "")),
    };
    let (record_store, id) = (store.clone(), finished.backup.id);
    let parts = proven.parts.clone();
    let recorded =
        run_blocking(move || crate::backups::parts::put(&record_store.connection(), id, &parts))
            .await;
    match recorded {
        Ok(()) => Proof::Good {
            bytes: proven.bytes,
            sha256: proven.sha256,
            partial: (proven.status == BackupStatus::Partial)
                .then(|| "Some databases of this set failed: see its parts.".to_string()),
        },
        Err(problem) => Proof::Deferred(problem),
    }
}

/// Size and SHA-256, then the content: pg_restore reading the whole of an archive, pg_dump's
/// closing line for a plain dump.
async fn prove(store: &Arc<Store>, finished: &Finished) -> Proof {
    let path = finished.path.clone();
    let hashed = tokio::task::spawn_blocking(move || hash_path(&path)).await;
    let written = match hashed {
        Ok(Ok(written)) if written.bytes > 0 => written,
        Ok(Ok(_)) => return Proof::Bad("the file is empty".into()),
        Ok(Err(error)) => return Proof::Bad(format!("the file cannot be read: {error}")),
        Err(error) => return Proof::Deferred(Problem::new(Code::Internal, error.to_string(), "")),
    };
    let format = finished.backup.format;
    let content = if format == DumpFormat::Plain {
        let path = finished.path.clone();
        match tokio::task::spawn_blocking(move || plain_dump_is_complete(&path)).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err("the SQL does not end with pg_dump's closing line".to_string()),
            Ok(Err(error)) => Err(format!("the SQL cannot be read: {error}")),
            Err(error) => {
                return Proof::Deferred(Problem::new(Code::Internal, error.to_string(), ""))
            }
        }
    } else {
        match archive_lists(store, &finished.backup, &finished.path).await {
            Ok(result) => result,
            Err(problem) => return Proof::Deferred(problem),
        }
    };
    match content {
        Ok(()) => Proof::Good {
            bytes: written.bytes,
            sha256: written.sha256,
            partial: None,
        },
        Err(why) => Proof::Bad(why),
    }
}

/// `Ok(Ok)` when pg_restore reads the whole archive, `Ok(Err)` when it cannot, `Err` when no
/// pg_restore can be run now.
async fn archive_lists(
    store: &Arc<Store>,
    backup: &Backup,
    path: &Path,
) -> Result<Result<(), String>, Problem> {
    let runner = super::tools::tools_for(store, backup).await?;
    let exit = runner.restore_read_all(path).await?;
    Ok(if exit.exit_code == 0 {
        Ok(())
    } else {
        Err(format!(
            "pg_restore could not read it through: {}",
            exit.stderr.trim().lines().last().unwrap_or_default()
        ))
    })
}

/// pg_dump ends every plain dump with this comment; a dump cut short lacks it.
const PLAIN_DUMP_END: &[u8] = b"-- PostgreSQL database dump complete";

/// Whether a plain dump (`.sql`, or `.sql.zst` decompressed on the fly) ends as pg_dump ends one.
fn plain_dump_is_complete(path: &Path) -> std::io::Result<bool> {
    let file = std::fs::File::open(path)?;
    let mut reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "zst") {
        Box::new(zstd::stream::read::Decoder::new(file)?)
    } else {
        Box::new(file)
    };
    // Keeps the last few KiB: the closing line is near the end, after \unrestrict at most.
    const KEEP: usize = 8 * 1024;
    let mut tail: Vec<u8> = Vec::with_capacity(2 * KEEP);
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&buffer[..n]);
        if tail.len() > KEEP {
            tail.drain(..tail.len() - KEEP);
        }
    }
    Ok(tail
        .windows(PLAIN_DUMP_END.len())
        .any(|window| window == PLAIN_DUMP_END))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_dump_is_complete_only_with_pg_dumps_closing_line() {
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("a.sql");
        std::fs::write(
            &whole,
            "CREATE TABLE t();\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc\n",
        )
        .unwrap();
        assert!(plain_dump_is_complete(&whole).unwrap());
        let cut = dir.path().join("b.sql");
        std::fs::write(&cut, "CREATE TABLE t();\nCOPY t FROM stdin;\n1\n").unwrap();
        assert!(!plain_dump_is_complete(&cut).unwrap());
        let compressed = dir.path().join("c.sql.zst");
        let body = format!(
            "{}\n-- PostgreSQL database dump complete\n",
            "x".repeat(100_000)
        );
        std::fs::write(&compressed, zstd::encode_all(body.as_bytes(), 1).unwrap()).unwrap();
        assert!(plain_dump_is_complete(&compressed).unwrap());
    }
}
