//! A backup's file as the user handles it: delete it with its record, save a checked copy
//! elsewhere, and notice files changed or removed outside the app.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::owned::{self, Owned};
use crate::backups::repository;
use crate::backups::{Backup, BackupKind, FileState};
use crate::dump::sink::hash_path;
use crate::model::{BackupId, BackupStatus, Code, Problem};
use crate::store::Store;

/// What deleting a backup did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Deleted {
    pub id: BackupId,
    /// False when the record had no file or its file was already gone.
    pub file_removed: bool,
    pub note: Option<String>,
}

/// Deletes a backup's file and its record together. A file already gone: the record goes and
/// the answer says so. A file that cannot be removed: the record stays and the error says why.
pub fn delete(store: &Store, id: BackupId) -> Result<Deleted, Problem> {
    let backup = repository::get(&store.connection(), id)?;
    if matches!(backup.status, BackupStatus::Running | BackupStatus::Pending) {
        return Err(Problem::new(
            Code::BackupRunning,
            format!("Backup {id} is still running."),
            "Cancel it first, or wait for it to end.",
        ));
    }
    let roots = crate::settings::backup_roots(store)?;
    let (file_removed, note) = match backup.file_path.as_deref().map(Path::new) {
        None => (false, None),
        Some(path) => {
            let removed = match owned::check(&roots, id, path, false)? {
                Owned::Gone => Err(io::Error::from(io::ErrorKind::NotFound)),
                Owned::Present(resolved) => owned::remove(&resolved),
            };
            match removed {
                Ok(()) => (true, None),
                Err(error) if error.kind() == io::ErrorKind::NotFound => (
                    false,
                    Some(format!("The file {} was already gone.", path.display())),
                ),
                Err(error) => {
                    return Err(Problem::new(
                        Code::DeleteFailed,
                        format!("The file {} cannot be deleted: {error}.", path.display()),
                        "Check the folder's permissions; the backup's record is kept until its file can go.",
                    ))
                }
            }
        }
    };
    repository::delete(&store.connection(), id)?;
    tracing::info!(backup = id.0, file_removed, "backup deleted");
    Ok(Deleted {
        id,
        file_removed,
        note,
    })
}

/// The completed backup's file, as recorded and still there.
pub(super) fn file_of(backup: &Backup) -> Result<PathBuf, Problem> {
    // A partial set's folder holds the databases that did complete.
    let usable = backup.status == BackupStatus::Completed
        || (backup.kind == BackupKind::Server && backup.status == BackupStatus::Partial);
    if !usable {
        return Err(Problem::new(
            Code::BackupHasNoFile,
            format!(
                "Backup {} is {}: it has no file.",
                backup.id,
                backup.status.as_str()
            ),
            "Choose a completed backup.",
        ));
    }
    let path = backup
        .file_path
        .as_deref()
        .map(PathBuf::from)
        .ok_or_else(|| {
            Problem::new(
                Code::BackupHasNoFile,
                format!("Backup {} has no file recorded.", backup.id),
                "Choose another backup.",
            )
        })?;
    if backup.local_removed_at.is_some() && !path.exists() {
        return Err(Problem::new(
            Code::BackupFileMissing,
            format!(
                "Backup {} is no longer on this computer: it is kept in storage locations only.",
                backup.id
            ),
            "Fetch it back first: dbm backup fetch ID LOCATION (restore and verify do it with --from LOCATION).",
        ));
    }
    if !path.exists() {
        return Err(Problem::new(
            Code::BackupFileMissing,
            format!(
                "The file of backup {} is gone: {}.",
                backup.id,
                path.display()
            ),
            "It was moved or deleted outside the app; delete the record, or put the file back.",
        ));
    }
    Ok(path)
}

/// Copies a completed backup to `destination` (a file path, or a folder to copy into), then
/// checks the copy's SHA-256 against the recorded one. Nothing is left at the destination
/// when anything fails.
pub fn save_copy(store: &Store, id: BackupId, destination: &Path) -> Result<PathBuf, Problem> {
    let backup = repository::get(&store.connection(), id)?;
    let source = file_of(&backup)?;
    let target = if destination.is_dir() {
        destination.join(source.file_name().unwrap_or_default())
    } else {
        destination.to_path_buf()
    };
    // The destination is the user's input: quoted back cut short.
    let shown = crate::model::excerpt(&target.display().to_string());
    let same = |a: &Path, b: &Path| match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(&source, &target) || target.starts_with(&source) {
        return Err(Problem::new(
            Code::InvalidDestination,
            format!("{} is the backup itself.", shown),
            "Choose another folder or file name for the copy.",
        ));
    }
    // The backup folder is the app's: a copy there would be a file it did not make, in the
    // layout its recovery and retention walk.
    let roots = crate::settings::backup_roots(store)?;
    let inside_a_root = target
        .parent()
        .and_then(|parent| fs::canonicalize(parent).ok())
        .is_some_and(|parent| !owned::relative_to_roots(&roots, &parent).is_empty());
    if inside_a_root {
        return Err(Problem::new(
            Code::InvalidDestination,
            format!("{} is inside the backup folder.", shown),
            "Choose a folder outside the backup folder for the copy.",
        ));
    }
    if fs::symlink_metadata(&target).is_ok() {
        return Err(Problem::new(
            Code::InvalidDestination,
            format!("{} already exists.", shown),
            "Choose another name, or remove that file first.",
        ));
    }
    let copying = |error: io::Error| {
        Problem::new(
            Code::CopyFailed,
            format!("The copy to {} failed: {error}.", shown),
            "Choose a folder you can write to, with enough free space.",
        )
    };
    // A name of our own beside the target, created new: a user's `<name>.partial` (or a link
    // planted there) is never written through, truncated or removed.
    let temporary = temporary_beside(&target);
    let result = copy_path(&source, &temporary)
        .map_err(copying)
        .and_then(|()| hash_path(&temporary).map_err(copying))
        .and_then(|written| match backup.sha256.as_deref() {
            Some(recorded) if recorded != written.sha256 => Err(Problem::new(
                Code::CopyMismatch,
                format!(
                    "The copy's SHA-256 ({}) differs from the backup's recorded one ({recorded}).",
                    written.sha256
                ),
                "The backup file may have changed since it was made: verify it.",
            )),
            _ => place(&temporary, &target).map_err(copying),
        });
    if result.is_err() {
        let _ = owned::remove(&temporary);
    }
    result.map(|()| target)
}

/// `.<name>.dbm-<pid>-<nanos>.tmp` in the target's folder.
fn temporary_beside(target: &Path) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.dbm-{}-{nanos}.tmp", std::process::id()))
}

/// Gives the finished copy its name without replacing anything that appeared there meanwhile:
/// a file by a hard link (which fails on an existing name), a folder by a rename.
fn place(temporary: &Path, target: &Path) -> io::Result<()> {
    if fs::symlink_metadata(temporary)?.is_dir() {
        if fs::symlink_metadata(target).is_ok() {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        return fs::rename(temporary, target);
    }
    match fs::hard_link(temporary, target) {
        Ok(()) => fs::remove_file(temporary),
        // A file system without hard links (some network and FAT drives).
        Err(error) if error.kind() != io::ErrorKind::AlreadyExists => {
            if fs::symlink_metadata(target).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            fs::rename(temporary, target)
        }
        Err(error) => Err(error),
    }
}

/// Bytes of a file, or of every file under a folder (the directory format).
fn apparent_size(path: &Path) -> io::Result<u64> {
    let meta = fs::metadata(path)?;
    if !meta.is_dir() {
        return Ok(meta.len());
    }
    let mut total = 0;
    for entry in fs::read_dir(path)? {
        total += apparent_size(&entry?.path())?;
    }
    Ok(total)
}

/// Copies into names that must not exist yet (create-new never follows a link).
fn copy_path(source: &Path, target: &Path) -> io::Result<()> {
    if source.is_dir() {
        fs::create_dir(target)?;
        for entry in fs::read_dir(source)? {
            let entry = entry?;
            copy_path(&entry.path(), &target.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        let mut input = fs::File::open(source)?;
        let mut output = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)?;
        io::copy(&mut input, &mut output)?;
        output.sync_all()
    }
}

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    pub checked: u32,
    pub missing: Vec<BackupId>,
    pub modified: Vec<BackupId>,
    /// Files as recorded again after having been marked.
    pub restored: Vec<BackupId>,
}

/// Checks every completed backup's file against its record: gone → missing; another size
/// (or, with `hash`, another SHA-256) → modified. The list shows the marks; nothing is deleted.
pub fn scan(store: &Store, hash: bool) -> Result<ScanReport, Problem> {
    let filter = repository::BackupFilter {
        status: Some(BackupStatus::Completed),
        ..Default::default()
    };
    let completed = repository::list(&store.connection(), &filter, u32::MAX, 0)?;
    let mut report = ScanReport::default();
    for backup in completed {
        report.checked += 1;
        let Some(path) = backup.file_path.as_deref().map(Path::new) else {
            continue;
        };
        let state = if !path.exists() {
            Some(FileState::Missing)
        } else {
            // One read at most: hashing counts the bytes too.
            let (size, sha256) = if hash {
                match hash_path(path) {
                    Ok(written) => (Some(written.bytes), Some(written.sha256)),
                    Err(_) => (None, None),
                }
            } else {
                (apparent_size(path).ok(), backup.sha256.clone())
            };
            let differs = size != backup.size_bytes.map(|s| s as u64) || sha256 != backup.sha256;
            differs.then_some(FileState::Modified)
        };
        match state {
            Some(FileState::Missing) => report.missing.push(backup.id),
            Some(FileState::Modified) => report.modified.push(backup.id),
            None if backup.file_state.is_some() => report.restored.push(backup.id),
            None => {}
        }
        if state != backup.file_state {
            repository::set_file_state(&store.connection(), backup.id, state)?;
        }
    }
    Ok(report)
}
