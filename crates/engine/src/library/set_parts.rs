//! A server set seen one database at a time: a part as a backup of its own (its archive, its
//! hash), so restoring or verifying one database of a set is today's restore or verify.

use std::path::PathBuf;

use crate::backups::{Backup, BackupKind};
use crate::model::{BackupStatus, Code, DumpFormat, Problem};

/// `backup` itself when it is one database's backup (and no part is asked); the part for
/// `database` when it is a set.
pub(super) fn one_database(backup: Backup, database: Option<&str>) -> Result<Backup, Problem> {
    match (backup.kind, database) {
        (BackupKind::Database, None) => Ok(backup),
        (BackupKind::Database, Some(_)) => Err(Problem::new(
            Code::InvalidDatabase,
            format!("Backup {} is of one database: it has no parts.", backup.id),
            "Restore it without naming a part.",
        )),
        (BackupKind::Server, None) => Err(Problem::new(
            Code::InvalidDatabase,
            format!(
                "Backup {} is a server set of {} databases.",
                backup.id,
                backup.parts.len()
            ),
            "Restore one of its databases (part), or the whole set (all).",
        )),
        (BackupKind::Server, Some(name)) => part_view(&backup, name),
    }
}

/// The part of `set` for database `name`, as a backup of its own.
pub(super) fn part_view(set: &Backup, name: &str) -> Result<Backup, Problem> {
    let part = set
        .parts
        .iter()
        .find(|p| p.database == name)
        .ok_or_else(|| {
            Problem::new(
                Code::InvalidDatabase,
                format!(
                    "Set {} has no database \"{}\".",
                    set.id,
                    crate::model::excerpt(name)
                ),
                format!(
                    "Its databases: {}.",
                    set.parts
                        .iter()
                        .map(|p| p.database.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    if part.status != BackupStatus::Completed {
        return Err(Problem::new(
            Code::BackupHasNoFile,
            format!(
                "The database \"{}\" of set {} was not dumped: {}",
                part.database,
                set.id,
                part.error_message.as_deref().unwrap_or("it failed")
            ),
            "Choose another database, or another set.",
        ));
    }
    Ok(Backup {
        kind: BackupKind::Database,
        status: BackupStatus::Completed,
        file_path: part.file_path.clone(),
        size_bytes: part.size_bytes,
        sha256: part.sha256.clone(),
        format: DumpFormat::Custom,
        parts: Vec::new(),
        globals: None,
        ..set.clone()
    })
}

/// The databases of a set that were dumped, in order.
pub(super) fn completed_parts(set: &Backup) -> Vec<String> {
    set.parts
        .iter()
        .filter(|p| p.status == BackupStatus::Completed)
        .map(|p| p.database.clone())
        .collect()
}

/// The set's globals file, when it was written.
pub(super) fn globals_file(set: &Backup) -> Option<PathBuf> {
    set.globals
        .as_ref()
        .filter(|g| g.status == BackupStatus::Completed)
        .and_then(|g| g.file_path.as_deref())
        .map(PathBuf::from)
}
