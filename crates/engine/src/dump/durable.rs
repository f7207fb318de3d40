//! Making what a backup wrote survive a power cut: file contents, and the folder entries that
//! name them (a new file or folder is durable only once its parent folder is synced too).

use std::fs::File;
use std::io;
use std::path::Path;

/// Syncs a file, or a folder and everything in it (what pg_dump wrote itself).
pub fn sync_tree(path: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            sync_tree(&entry?.path())?;
        }
    }
    File::open(path)?.sync_all()
}

/// Syncs `dir` and each folder above it up to and including `root`: the entries of folders
/// just made, and of a file just created or renamed in `dir`.
pub fn sync_folders(dir: &Path, root: &Path) -> io::Result<()> {
    let mut current = Some(dir);
    while let Some(folder) = current {
        File::open(folder)?.sync_all()?;
        if folder == root {
            break;
        }
        current = folder.parent().filter(|p| p.starts_with(root));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syncs_a_tree_and_the_folders_up_to_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("f"), b"x").unwrap();
        sync_tree(&dir.path().join("a")).unwrap();
        sync_folders(&deep, dir.path()).unwrap();
        assert!(sync_tree(&dir.path().join("missing")).is_err());
    }
}
