//! A server set whose run died after its folder was renamed but before it was recorded: its
//! manifest (written before the rename) says what each file must hash to. When every file
//! still does, the set and its parts are recorded from the manifest; otherwise it is not
//! trusted (the caller removes the folder and says why).

use std::path::Path;

use crate::backups::manifest::{self, Manifest};
use crate::backups::parts::PartRecord;
use crate::dump::server_set::GLOBALS_FILE;
use crate::dump::sink::{hash_folder_knowing, hash_path};
use crate::model::BackupStatus;

/// What a finished set folder proved to hold.
pub(super) struct ProvenSet {
    pub status: BackupStatus,
    pub parts: Vec<PartRecord>,
    pub bytes: u64,
    pub sha256: String,
}

/// Checks every file the manifest names against its SHA-256 and size. Blocking.
pub(super) fn prove(folder: &Path) -> Result<ProvenSet, String> {
    let manifest: Manifest =
        manifest::read(folder).map_err(|e| format!("its manifest cannot be read: {e}"))?;
    let check = |file: &str, size: i64, sha256: &str| -> Result<(), String> {
        let written = hash_path(&folder.join(file)).map_err(|e| format!("{file}: {e}"))?;
        if written.bytes as i64 != size || written.sha256 != sha256 {
            return Err(format!("{file} is not what the manifest says"));
        }
        Ok(())
    };
    let mut parts = Vec::new();
    match &manifest.globals {
        Some(globals) => {
            check(&globals.file, globals.size_bytes, &globals.sha256)?;
            parts.push(PartRecord {
                status: BackupStatus::Completed,
                file_name: Some(GLOBALS_FILE.to_string()),
                size_bytes: Some(globals.size_bytes),
                sha256: Some(globals.sha256.clone()),
                role_passwords: globals.role_passwords,
                ..PartRecord::running(0, None, None)
            });
        }
        None => parts.push(PartRecord {
            status: BackupStatus::Failed,
            error_message: Some("the globals were not written".into()),
            ..PartRecord::running(0, None, None)
        }),
    }
    for (index, database) in manifest.databases.iter().enumerate() {
        let base = PartRecord::running(
            index as u32 + 1,
            Some(&database.name),
            database.database_size_bytes,
        );
        parts.push(match &database.archive {
            Some(archive) => {
                check(&archive.file, archive.size_bytes, &archive.sha256)?;
                PartRecord {
                    status: BackupStatus::Completed,
                    file_name: Some(archive.file.clone()),
                    size_bytes: Some(archive.size_bytes),
                    sha256: Some(archive.sha256.clone()),
                    ..base
                }
            }
            None => PartRecord {
                status: BackupStatus::Failed,
                error_message: database.error.clone(),
                ..base
            },
        });
    }
    if !parts
        .iter()
        .any(|p| p.database.is_some() && p.status == BackupStatus::Completed)
    {
        return Err("it holds no database".into());
    }
    // The files were just checked: only what the manifest does not list is read again.
    let written = hash_folder_knowing(folder, &crate::backups::parts::hashed(&parts))
        .map_err(|e| format!("the folder cannot be read: {e}"))?;
    let status = if parts.iter().all(|p| p.status == BackupStatus::Completed) {
        BackupStatus::Completed
    } else {
        BackupStatus::Partial
    };
    Ok(ProvenSet {
        status,
        parts,
        bytes: written.bytes,
        sha256: written.sha256,
    })
}
