//! A backup's copies in storage locations: copy one there (streamed, hashed, optionally
//! encrypted, with a manifest beside it), check a copy by reading it back, and fetch a backup
//! back from a location when its local file is gone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::backups::repository;
use crate::backups::{Backup, BackupKind};
use crate::blocking::run_blocking;
use crate::dump::sink::{self, Written};
use crate::model::{BackupId, BackupStatus, Code, Problem};
use crate::storage::copies::{self as copy_rows, Stored};
use crate::storage::copy_lock::CopyLock;
use crate::storage::operator::Patience;
use crate::storage::remote_manifest::{
    self, BackupFacts, Encryption, RemoteManifest, StoredObject, MANIFEST_VERSION,
};
use crate::storage::{encryption, transfer, Copy, CopyState, Location, Storage};
use crate::store::Store;
use crate::time::now_utc;

/// Copies backup `id` to `location` and records the copy: `copied` when every object is
/// stored and the local file hashed as recorded on the way, `failed` with the reason otherwise.
pub async fn copy(
    store: Arc<Store>,
    id: BackupId,
    location: &Location,
    encrypt: bool,
    on_progress: &(dyn Fn(u64) + Sync),
) -> Result<Copy, Problem> {
    let data_dir = store
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // Never two uploads of one object at once, in this process or another.
    let _lock = CopyLock::acquire(&data_dir, id, location.id).map_err(|e| {
        Problem::new(
            Code::CopyRunning,
            format!(
                "Backup {id} is already being copied to {}: {e}.",
                location.name
            ),
            "Wait for that copy to end.",
        )
    })?;
    let (backup, installation, recipients, root_relative) = {
        let lookup = store.clone();
        let location_id = location.id;
        run_blocking(move || {
            let backup = repository::get(&lookup.connection(), id)?;
            let file = super::files::file_of(&backup)?;
            let relative = relative_to_root(&lookup, &file)?;
            let recipients = if encrypt {
                encryption::recipients(&lookup)?
            } else {
                Vec::new()
            };
            copy_rows::request(&lookup.connection(), id, location_id, encrypt)?;
            // The lock is ours: a row still `copying` was left by a process that died.
            copy_rows::set_state(
                &lookup.connection(),
                id,
                location_id,
                CopyState::Pending,
                None,
            )?;
            copy_rows::start(&lookup.connection(), id, location_id)?;
            Ok((backup, lookup.installation_id()?, recipients, relative))
        })
        .await?
    };
    let outcome = upload_backup(
        &store,
        &backup,
        location,
        &installation,
        &root_relative,
        &recipients,
        on_progress,
    )
    .await;
    let location_id = location.id;
    let lookup = store.clone();
    match outcome {
        Ok((manifest_key, stored_bytes)) => {
            run_blocking(move || {
                copy_rows::copied(
                    &lookup.connection(),
                    id,
                    location_id,
                    &Stored {
                        manifest_key: &manifest_key,
                        size_bytes: stored_bytes as i64,
                        recipients: &recipients,
                        imported: false,
                    },
                )
            })
            .await?;
            tracing::info!(backup = id.0, location = %location.name, "backup copied");
        }
        Err(problem) => {
            let message = problem.message.clone();
            run_blocking(move || {
                copy_rows::set_state(
                    &lookup.connection(),
                    id,
                    location_id,
                    CopyState::Failed,
                    Some(&message),
                )
            })
            .await?;
            tracing::warn!(backup = id.0, location = %location.name, %problem, "copy failed");
            return Err(problem);
        }
    }
    let lookup = store.clone();
    run_blocking(move || {
        copy_rows::get(&lookup.connection(), id, location_id)?.ok_or_else(|| not_copied(id))
    })
    .await
}

fn not_copied(id: BackupId) -> Problem {
    Problem::new(
        Code::CopyNotFound,
        format!("Backup {id} has no copy there."),
        "Copy it first: dbm backup copy ID LOCATION.",
    )
}

/// The backup's path under the backup root it lives in, `/`-separated.
fn relative_to_root(store: &Store, file: &Path) -> Result<String, Problem> {
    let roots = crate::settings::backup_roots(store)?;
    roots
        .iter()
        .find_map(|root| file.strip_prefix(root).ok())
        .map(|relative| {
            relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .ok_or_else(|| {
            Problem::new(
                Code::BackupPathNotOurs,
                format!("{} is not under the backup folder.", file.display()),
                "Only backups the app wrote into its backup folder are copied.",
            )
        })
}

async fn upload_backup(
    store: &Arc<Store>,
    backup: &Backup,
    location: &Location,
    installation: &str,
    relative: &str,
    recipients: &[String],
    on_progress: &(dyn Fn(u64) + Sync),
) -> Result<(String, u64), Problem> {
    let file = super::files::file_of(backup)?;
    let operator = Storage::new(store).operator(location, Patience::Copy)?;
    let backup_key = remote_manifest::backup_key(installation, relative);
    let encrypted = !recipients.is_empty();
    let is_folder = file.is_dir();
    let files: Vec<(String, PathBuf)> = if is_folder {
        let folder = file.clone();
        run_blocking(move || {
            sink::folder_files(&folder).map_err(|e| {
                crate::storage::problems::io_problem(&e, "listing the backup's folder")
            })
        })
        .await?
        .into_iter()
        .map(|relative| {
            let path = file.join(&relative);
            let text = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (text, path)
        })
        .collect()
    } else {
        vec![(String::new(), file.clone())]
    };

    let done_before = std::sync::atomic::AtomicU64::new(0);
    let mut objects = Vec::new();
    let mut known = HashMap::new();
    for (path_in_folder, path) in &files {
        let key = remote_manifest::object_key(&backup_key, path_in_folder, encrypted);
        let expected = if is_folder {
            None
        } else {
            backup.sha256.as_deref()
        };
        let base = done_before.load(std::sync::atomic::Ordering::Relaxed);
        let sent = transfer::upload(
            &operator,
            &location.settings,
            path,
            &key,
            expected,
            recipients,
            &|bytes| on_progress(base + bytes),
        )
        .await?;
        done_before.fetch_add(sent.size, std::sync::atomic::Ordering::Relaxed);
        known.insert(
            PathBuf::from(path_in_folder),
            Written {
                bytes: sent.plain_size,
                sha256: sent.plain_sha256.clone(),
            },
        );
        objects.push(StoredObject {
            key,
            path: path_in_folder.clone(),
            sha256: sent.sha256,
            size: sent.size,
            plain_sha256: sent.plain_sha256,
            plain_size: sent.plain_size,
        });
    }

    // What was read on the way must be what the library recorded: a file changed since its
    // backup is not copied as if it were the backup.
    let read_sha = if is_folder {
        let folder = file.clone();
        run_blocking(move || {
            sink::hash_folder_knowing(&folder, &known)
                .map(|w| w.sha256)
                .map_err(|e| {
                    crate::storage::problems::io_problem(&e, "hashing the backup's folder")
                })
        })
        .await?
    } else {
        objects
            .first()
            .map(|o| o.plain_sha256.clone())
            .unwrap_or_default()
    };
    if backup.sha256.as_deref() != Some(read_sha.as_str()) {
        for object in &objects {
            let _ = operator.delete(&object.key).await;
        }
        return Err(Problem::new(
            Code::CopyMismatch,
            format!(
                "The file of backup {} changed since it was made (SHA-256 {read_sha}, recorded {}).",
                backup.id,
                backup.sha256.as_deref().unwrap_or("none")
            ),
            "Verify the backup; a changed file is not copied.",
        ));
    }

    let manifest = RemoteManifest {
        manifest_version: MANIFEST_VERSION,
        installation_id: installation.to_string(),
        backup: facts(backup, relative, is_folder),
        encryption: encrypted.then(|| Encryption {
            format: "age".into(),
            recipients: recipients.to_vec(),
        }),
        objects,
    };
    let stored = manifest.stored_bytes();
    let manifest_key = remote_manifest::manifest_key(&backup_key);
    // A copy made again (encrypted now, say) replaces the earlier one's objects.
    let earlier: Vec<String> = read_manifest(&operator, location, &manifest_key)
        .await
        .ok()
        .flatten()
        .filter(|m| m.installation_id == installation)
        .map(|m| m.objects.into_iter().map(|o| o.key).collect())
        .unwrap_or_default();
    let body = serde_json::to_vec_pretty(&manifest).map_err(|e| {
        Problem::new(
            Code::Internal,
            format!("The manifest cannot be written: {e}."),
            "Report this as a bug.",
        )
    })?;
    operator
        .write(&manifest_key, body)
        .await
        .map_err(|e| crate::storage::problems::storage_problem(&e, &location.settings))?;
    for key in earlier {
        if !manifest.objects.iter().any(|o| o.key == key) {
            let _ = operator.delete(&key).await;
        }
    }
    Ok((manifest_key, stored))
}

fn facts(backup: &Backup, relative: &str, is_folder: bool) -> BackupFacts {
    BackupFacts {
        id: backup.id.0,
        connection_name: backup.connection_name.clone(),
        relative_path: relative.to_string(),
        is_folder,
        kind: backup.kind.as_str().to_string(),
        format: backup.format.as_str().to_string(),
        compression: backup.compression.clone(),
        pg_dump_version: backup.pg_dump_version.clone(),
        server_version: backup.server_version.clone(),
        started_at: backup.started_at.clone(),
        completed_at: backup.completed_at.clone(),
        sha256: backup.sha256.clone(),
        size_bytes: backup.size_bytes,
        status: backup.status.as_str().to_string(),
    }
}

/// What reading a copy back found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CopyCheck {
    pub ok: bool,
    pub state: CopyState,
    /// One line per object that is not as stored; empty when ok.
    pub problems: Vec<String>,
    #[ts(type = "number")]
    pub bytes_read: u64,
}

async fn read_manifest(
    operator: &opendal::Operator,
    location: &Location,
    key: &str,
) -> Result<Option<RemoteManifest>, Problem> {
    match operator.read(key).await {
        Ok(buffer) => serde_json::from_slice(&buffer.to_vec())
            .map(Some)
            .map_err(|e| {
                Problem::new(
                    Code::CopyObjectAltered,
                    format!("The manifest {key} is not readable: {e}."),
                    "Copy the backup again.",
                )
            }),
        Err(error) if error.kind() == opendal::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(crate::storage::problems::storage_problem(
            &error,
            &location.settings,
        )),
    }
}

/// Downloads every object of the copy and rehashes it (streamed, nothing kept), then records
/// what it found: `copied` again, `missing` or `altered`.
pub async fn verify_copy(
    store: Arc<Store>,
    id: BackupId,
    location: &Location,
) -> Result<CopyCheck, Problem> {
    let (copy, operator) = copy_and_operator(&store, id, location).await?;
    let manifest_key = copy.manifest_key.clone().ok_or_else(|| not_copied(id))?;
    let mut problems = Vec::new();
    let mut state = CopyState::Copied;
    let mut bytes_read = 0;
    match read_manifest(&operator, location, &manifest_key).await? {
        None => {
            state = CopyState::Missing;
            problems.push(format!("The manifest {manifest_key} is gone."));
        }
        Some(manifest) => {
            for object in &manifest.objects {
                match transfer::hash_object(&operator, &location.settings, &object.key).await {
                    Ok((sha, size)) => {
                        bytes_read += size;
                        if sha != object.sha256 || size != object.size {
                            state = CopyState::Altered;
                            problems.push(format!(
                                "{} was changed: SHA-256 {sha} ({size} bytes), stored as {} ({} bytes).",
                                object.key, object.sha256, object.size
                            ));
                        }
                    }
                    Err(problem) if is_not_found(&operator, &object.key).await => {
                        if state == CopyState::Copied {
                            state = CopyState::Missing;
                        }
                        problems.push(format!("{} is gone ({}).", object.key, problem.message));
                    }
                    Err(problem) => return Err(problem),
                }
            }
        }
    }
    let summary = problems.join(" ");
    let lookup = store.clone();
    let location_id = location.id;
    run_blocking(move || {
        if state == CopyState::Copied {
            copy_rows::verified(&lookup.connection(), id, location_id)
        } else {
            copy_rows::set_state(&lookup.connection(), id, location_id, state, Some(&summary))
        }
    })
    .await?;
    tracing::info!(backup = id.0, location = %location.name, ok = problems.is_empty(), "copy verified");
    Ok(CopyCheck {
        ok: problems.is_empty(),
        state,
        problems,
        bytes_read,
    })
}

async fn is_not_found(operator: &opendal::Operator, key: &str) -> bool {
    matches!(operator.stat(key).await, Err(e) if e.kind() == opendal::ErrorKind::NotFound)
}

async fn copy_and_operator(
    store: &Arc<Store>,
    id: BackupId,
    location: &Location,
) -> Result<(Copy, opendal::Operator), Problem> {
    let lookup = store.clone();
    let location_id = location.id;
    let copy = run_blocking(move || {
        copy_rows::get(&lookup.connection(), id, location_id)?.ok_or_else(|| not_copied(id))
    })
    .await?;
    let operator = Storage::new(store).operator(location, Patience::Copy)?;
    Ok((copy, operator))
}

/// Brings backup `id`'s file back to its recorded place from `location` (downloaded to a
/// `.partial`, decrypted, its SHA-256 checked against the record, then renamed), so today's
/// restore and verify work on it. A file already there is left as it is.
pub async fn fetch(
    store: Arc<Store>,
    id: BackupId,
    location: &Location,
) -> Result<PathBuf, Problem> {
    let (copy, operator) = copy_and_operator(&store, id, location).await?;
    let lookup = store.clone();
    let backup = run_blocking(move || repository::get(&lookup.connection(), id)).await?;
    let usable = backup.status == BackupStatus::Completed
        || (backup.kind == BackupKind::Server && backup.status == BackupStatus::Partial);
    let destination = backup
        .file_path
        .clone()
        .map(PathBuf::from)
        .filter(|_| usable)
        .ok_or_else(|| {
            Problem::new(
                Code::BackupHasNoFile,
                format!("Backup {id} has no file to fetch."),
                "Choose a completed backup.",
            )
        })?;
    if destination.exists() {
        return Ok(destination);
    }
    let manifest_key = copy.manifest_key.clone().ok_or_else(|| not_copied(id))?;
    let manifest = read_manifest(&operator, location, &manifest_key)
        .await?
        .ok_or_else(|| {
            Problem::new(
                Code::CopyObjectMissing,
                format!(
                    "The copy of backup {id} in {} is gone (no manifest).",
                    location.name
                ),
                "Fetch it from another location.",
            )
        })?;
    let identity = if manifest.encryption.is_some() {
        let lookup = store.clone();
        Some(run_blocking(move || encryption::identity(&lookup)).await?)
    } else {
        None
    };
    let partial = crate::backups::layout::partial_path(&destination);
    let fetched = download_into(&operator, location, &manifest, &partial, identity).await;
    let checked = fetched.and_then(|()| {
        let written = sink::hash_path(&partial)
            .map_err(|e| crate::storage::problems::io_problem(&e, "hashing the download"))?;
        if backup.sha256.as_deref() != Some(written.sha256.as_str()) {
            return Err(Problem::new(
                Code::CopyObjectAltered,
                format!(
                    "The copy of backup {id} in {} does not hash as the backup was recorded (SHA-256 {}).",
                    location.name, written.sha256
                ),
                "The copy was changed: verify it (dbm backup verify ID --location NAME) and fetch from another location.",
            ));
        }
        std::fs::rename(&partial, &destination)
            .map_err(|e| crate::storage::problems::io_problem(&e, "putting the fetched backup in place"))
    });
    if let Err(problem) = checked {
        let _ = if partial.is_dir() {
            std::fs::remove_dir_all(&partial)
        } else {
            std::fs::remove_file(&partial)
        };
        return Err(problem);
    }
    let lookup = store.clone();
    run_blocking(move || repository::set_local_removed(&lookup.connection(), id, None)).await?;
    tracing::info!(backup = id.0, location = %location.name, "backup fetched from a location");
    Ok(destination)
}

async fn download_into(
    operator: &opendal::Operator,
    location: &Location,
    manifest: &RemoteManifest,
    partial: &Path,
    identity: Option<age::x25519::Identity>,
) -> Result<(), Problem> {
    let io = |e: std::io::Error| {
        crate::storage::problems::io_problem(&e, "making the download's folder")
    };
    if let Some(parent) = partial.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    if manifest.backup.is_folder {
        std::fs::create_dir_all(partial).map_err(io)?;
    }
    for object in &manifest.objects {
        let target = if object.path.is_empty() {
            partial.to_path_buf()
        } else {
            let relative = Path::new(&object.path);
            if relative
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                return Err(Problem::new(
                    Code::CopyObjectAltered,
                    format!(
                        "The manifest names a path outside the backup: {}.",
                        object.path
                    ),
                    "The manifest was changed: do not use this copy.",
                ));
            }
            partial.join(relative)
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let got = transfer::download(
            operator,
            &location.settings,
            &object.key,
            &target,
            identity.clone(),
        )
        .await?;
        if got.sha256 != object.sha256 {
            return Err(Problem::new(
                Code::CopyObjectAltered,
                format!(
                    "{} in {} was changed since it was stored.",
                    object.key, location.name
                ),
                "Verify the copy, and fetch the backup from another location.",
            ));
        }
    }
    Ok(())
}

/// The app removes a backup's local file because it is copied everywhere its schedule asks
/// (the schedule's "keep no local copy"): the record stays, restores fetch it back.
pub fn remove_local_file(store: &Store, backup: &Backup) -> Result<(), Problem> {
    let copies = copy_rows::of_backup(&store.connection(), backup.id)?;
    if !copies.iter().any(|c| c.state == CopyState::Copied) {
        return Err(Problem::new(
            Code::CopyNotFound,
            format!("Backup {} has no finished copy elsewhere.", backup.id),
            "Its local file stays until it is copied.",
        ));
    }
    let Some(path) = backup.file_path.as_deref().map(Path::new) else {
        return Ok(());
    };
    let roots = crate::settings::backup_roots(store)?;
    if let super::owned::Owned::Present(resolved) =
        super::owned::check(&roots, backup.id, path, false)?
    {
        super::owned::remove(&resolved).map_err(|e| {
            Problem::new(
                Code::DeleteFailed,
                format!("{} cannot be deleted: {e}.", path.display()),
                "Check the folder's permissions.",
            )
        })?;
    }
    repository::set_local_removed(&store.connection(), backup.id, Some(&now_utc()))?;
    tracing::info!(backup = backup.id.0, "local file removed; copies remain");
    Ok(())
}

/// Copies that were waiting or cut short by a stopped app (left `copying` by a dead process)
/// are made now, oldest first, each with the encryption it was asked with. Answers how many
/// were made; each failure is logged and recorded on its copy.
pub async fn resume(store: Arc<Store>) -> Result<usize, Problem> {
    let lookup = store.clone();
    let pending = run_blocking(move || {
        let data_dir = lookup
            .path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        copy_rows::requeue_abandoned(&lookup.connection(), &data_dir)?;
        copy_rows::in_states(&lookup.connection(), &[CopyState::Pending])
    })
    .await?;
    let mut made = 0;
    for waiting in pending {
        let location = match Storage::new(&store).get(waiting.location_id) {
            Ok(location) => location,
            Err(_) => continue,
        };
        match copy(
            store.clone(),
            waiting.backup_id,
            &location,
            waiting.encrypted,
            &|_| {},
        )
        .await
        {
            Ok(_) => made += 1,
            Err(problem) => {
                tracing::warn!(backup = waiting.backup_id.0, location = %location.name, %problem, "a resumed copy failed")
            }
        }
    }
    Ok(made)
}
