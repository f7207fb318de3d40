//! Which files on disk are the app's own. A record's `file_path` is only a claim (SQLite can be
//! edited, restored from elsewhere, or damaged): before a file is removed, the path must lie
//! under one of the app's backup roots once symlinks are resolved, in the layout the app uses,
//! named for that very backup.

use std::io;
use std::path::{Path, PathBuf};

use crate::backups::layout;

use crate::model::{BackupId, Code, Problem};

/// Where a backup's file stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owned {
    /// The file (or directory-format folder) is there: its resolved path.
    Present(PathBuf),
    /// Nothing is there any more.
    Gone,
}

/// Checks that `path` is backup `id`'s own file (or, with `partial`, its `.partial`) under one
/// of `roots`. Refuses anything else with a clear error, touching nothing.
pub fn check(
    roots: &[PathBuf],
    id: BackupId,
    path: &Path,
    partial: bool,
) -> Result<Owned, Problem> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| not_ours(id, path, "it has no file name"))?;
    match layout::parse_name(name) {
        Some(parsed) if parsed.backup_id == id.0 && parsed.partial == partial => {}
        _ => {
            return Err(not_ours(
                id,
                path,
                "it is not named like that backup's file",
            ))
        }
    }
    if !path.is_absolute() {
        return Err(not_ours(id, path, "it is not a full path"));
    }
    let parent = path.parent().unwrap_or(Path::new("/"));
    let resolved_parent = match std::fs::canonicalize(parent) {
        Ok(resolved) => resolved,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Owned::Gone),
        Err(error) => return Err(unreadable(path, &error)),
    };
    let resolved = resolved_parent.join(name);
    // Every root it lies under (one may hold another): inside the layout of any of them.
    let inside = relative_to_roots(roots, &resolved)
        .iter()
        .any(|relative| layout::is_backup_path_of(relative, id.0));
    if !inside {
        return Err(not_ours(id, path, "it is not inside the backup folder"));
    }
    match std::fs::symlink_metadata(&resolved) {
        Ok(meta) if meta.file_type().is_symlink() => Err(not_ours(
            id,
            path,
            "it is a link, not the file the app wrote",
        )),
        Ok(_) => Ok(Owned::Present(resolved)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Owned::Gone),
        Err(error) => Err(unreadable(path, &error)),
    }
}

/// `resolved` (symlinks already resolved) relative to each of `roots` it lies under.
pub fn relative_to_roots(roots: &[PathBuf], resolved: &Path) -> Vec<PathBuf> {
    roots
        .iter()
        .filter_map(|root| {
            let root = std::fs::canonicalize(root).ok()?;
            resolved.strip_prefix(&root).ok().map(Path::to_path_buf)
        })
        .collect()
}

/// Removes a file or a directory-format folder (never following a link).
pub fn remove(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(error) => Err(error),
    }
}

fn not_ours(id: BackupId, path: &Path, why: &str) -> Problem {
    Problem::new(
        Code::BackupPathNotOurs,
        format!(
            "Backup {id}'s recorded file {} was left alone: {why}.",
            path.display()
        ),
        "Nothing was removed. If you moved the backup folder, set it in Settings; remove a file outside it by hand.",
    )
}

fn unreadable(path: &Path, error: &io::Error) -> Problem {
    Problem::new(
        Code::BackupPathUnreadable,
        format!("{} cannot be checked: {error}.", path.display()),
        "Check the backup folder's permissions; nothing was removed.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout_file(root: &Path, id: i64) -> PathBuf {
        let dir = root.join("prod/2026/03");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("prod_20260307T040506Z_{id}.dump"));
        std::fs::write(&file, b"x").unwrap();
        file
    }

    #[test]
    fn only_a_backups_own_file_under_a_root_is_ours() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("backups");
        let roots = vec![root.clone()];
        let file = layout_file(&root, 7);
        let resolved = std::fs::canonicalize(&file).unwrap();
        assert_eq!(
            check(&roots, BackupId(7), &file, false).unwrap(),
            Owned::Present(resolved)
        );
        // Another backup's id, a partial asked for, a file elsewhere, a relative path.
        for (id, path, partial) in [
            (8, file.clone(), false),
            (7, file.clone(), true),
            (7, dir.path().join("prod_20260307T040506Z_7.dump"), false),
            (
                7,
                PathBuf::from("prod/2026/03/prod_20260307T040506Z_7.dump"),
                false,
            ),
            (7, PathBuf::from("/etc/passwd"), false),
        ] {
            // Files are made only inside the test's own folder (never /etc/passwd).
            if path.starts_with(dir.path()) && !path.exists() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, b"x").unwrap();
            }
            let problem = check(&roots, BackupId(id), &path, partial).unwrap_err();
            assert_eq!(problem.code, Code::BackupPathNotOurs, "{}", path.display());
        }
        assert!(Path::new("/etc/passwd").exists());
        // Gone: nothing there.
        std::fs::remove_file(&file).unwrap();
        assert_eq!(
            check(&roots, BackupId(7), &file, false).unwrap(),
            Owned::Gone
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_root_or_a_linked_file_is_not_ours() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("backups");
        let outside = dir.path().join("outside");
        let victim = layout_file(&outside, 5);
        std::fs::create_dir_all(root.join("prod/2026")).unwrap();
        // <root>/prod/2026/03 → a folder outside the root.
        std::os::unix::fs::symlink(outside.join("prod/2026/03"), root.join("prod/2026/03"))
            .unwrap();
        let claimed = root.join("prod/2026/03/prod_20260307T040506Z_5.dump");
        let problem = check(std::slice::from_ref(&root), BackupId(5), &claimed, false).unwrap_err();
        assert_eq!(problem.code, Code::BackupPathNotOurs);
        // A backup file that is itself a link.
        let real_dir = root.join("prod/2025/01");
        std::fs::create_dir_all(&real_dir).unwrap();
        let link = real_dir.join("prod_20250101T000000Z_6.dump");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let problem = check(&[root], BackupId(6), &link, false).unwrap_err();
        assert_eq!(problem.code, Code::BackupPathNotOurs);
        assert!(victim.exists());
    }
}
