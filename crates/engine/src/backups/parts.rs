//! The `backup_part` table: a set's globals (position 0) and databases (1…), each with its
//! outcome. File names are kept relative to the set's folder, so a set moved with its folder
//! (a changed backup root) still finds its parts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection as Sql};

use super::model::{Backup, BackupKind, SetGlobals, SetPart};
use crate::dump::sink::Written;
use crate::model::{BackupId, BackupStatus, Problem};
use crate::store::decode;

/// A part as the set's run records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRecord {
    pub position: u32,
    /// None for the globals.
    pub database: Option<String>,
    pub status: BackupStatus,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub database_size_bytes: Option<i64>,
    pub role_passwords: Option<bool>,
    pub error_message: Option<String>,
    pub log: Option<String>,
}

impl PartRecord {
    /// A part about to be dumped (`database` None: the globals).
    pub fn running(
        position: u32,
        database: Option<&str>,
        database_size_bytes: Option<i64>,
    ) -> Self {
        PartRecord {
            position,
            database: database.map(str::to_string),
            status: BackupStatus::Running,
            file_name: None,
            size_bytes: None,
            sha256: None,
            database_size_bytes,
            role_passwords: None,
            error_message: None,
            log: None,
        }
    }
}

/// What each completed part's file hashed to, by its name in the set's folder.
pub fn hashed(parts: &[PartRecord]) -> HashMap<PathBuf, Written> {
    parts
        .iter()
        .filter(|p| p.status == BackupStatus::Completed)
        .filter_map(|p| {
            let written = Written {
                bytes: u64::try_from(p.size_bytes?).ok()?,
                sha256: p.sha256.clone()?,
            };
            Some((PathBuf::from(p.file_name.as_ref()?), written))
        })
        .collect()
}

/// Replaces the set's parts with `parts`.
pub fn put(sql: &Sql, id: BackupId, parts: &[PartRecord]) -> Result<(), Problem> {
    sql.execute("DELETE FROM backup_part WHERE backup_id = ?1", [id.0])?;
    let mut insert = sql.prepare(
        "INSERT INTO backup_part (backup_id, position, kind, database, status, file_name,
                                  size_bytes, sha256, database_size_bytes, role_passwords,
                                  error_message, log)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for part in parts {
        insert.execute(params![
            id.0,
            part.position,
            if part.database.is_some() {
                "database"
            } else {
                "globals"
            },
            part.database,
            part.status.as_str(),
            part.file_name,
            part.size_bytes,
            part.sha256,
            part.database_size_bytes,
            part.role_passwords,
            part.error_message,
            part.log
        ])?;
    }
    Ok(())
}

/// Fills in a set's parts and globals (nothing for one database's backup).
pub fn attach(sql: &Sql, backup: &mut Backup) -> Result<(), Problem> {
    if backup.kind != BackupKind::Server {
        return Ok(());
    }
    let folder = backup.file_path.clone().unwrap_or_default();
    let path_of =
        |name: Option<String>| name.map(|n| Path::new(&folder).join(n).display().to_string());
    let mut statement = sql.prepare(
        "SELECT position, database, status, file_name, size_bytes, sha256, database_size_bytes,
                role_passwords, error_message
         FROM backup_part WHERE backup_id = ?1 ORDER BY position",
    )?;
    let rows = statement.query_map([backup.id.0], |row| {
        Ok((
            row.get::<_, u32>(0)?,
            row.get::<_, Option<String>>(1)?,
            decode::named::<BackupStatus>(row, "backup_part", 2, "status")?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, Option<i64>>(4)?,
            row.get::<_, Option<String>>(5)?,
            row.get::<_, Option<i64>>(6)?,
            row.get::<_, Option<bool>>(7)?,
            row.get::<_, Option<String>>(8)?,
        ))
    })?;
    for row in rows {
        let (position, database, status, file, size, sha256, db_size, passwords, error) = row?;
        match database {
            Some(database) => backup.parts.push(SetPart {
                position,
                database,
                status,
                file_path: path_of(file),
                size_bytes: size,
                sha256,
                database_size_bytes: db_size,
                error_message: error,
            }),
            None => {
                backup.globals = Some(SetGlobals {
                    status,
                    file_path: path_of(file),
                    size_bytes: size,
                    sha256,
                    role_passwords: passwords.unwrap_or(false),
                    error_message: error,
                })
            }
        }
    }
    Ok(())
}
