//! A set's `manifest.json`: what the folder holds and how it was made (versions, each
//! database's file, size and SHA-256, the globals, what was left out and why), so the folder
//! explains itself when copied elsewhere or found by another installation.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::parts::PartRecord;
use crate::connections::databases::DatabaseChoice;
use crate::model::{BackupId, BackupStatus};

pub const MANIFEST_FILE: &str = "manifest.json";
const FORMAT: &str = "db-backup-manager server set";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub backup_id: BackupId,
    pub connection: String,
    pub server_version: String,
    pub pg_dump_version: String,
    pub created_at: String,
    pub globals: Option<ManifestFile>,
    pub databases: Vec<ManifestDatabase>,
    /// Databases of the server not in the set, with why.
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    pub file: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Globals only: whether the roles' passwords are in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_passwords: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestDatabase {
    pub name: String,
    pub status: BackupStatus,
    pub database_size_bytes: Option<i64>,
    /// None when it failed.
    pub archive: Option<ManifestFile>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftOut {
    pub name: String,
    pub reason: String,
}

fn file_of(part: &PartRecord) -> Option<ManifestFile> {
    Some(ManifestFile {
        file: part.file_name.clone()?,
        size_bytes: part.size_bytes?,
        sha256: part.sha256.clone()?,
        role_passwords: part
            .database
            .is_none()
            .then_some(part.role_passwords)
            .flatten(),
    })
}

impl Manifest {
    pub fn new(
        id: BackupId,
        connection: &str,
        server_version: &str,
        pg_dump_version: &str,
        parts: &[PartRecord],
        choices: &[DatabaseChoice],
    ) -> Manifest {
        Manifest {
            format: FORMAT.to_string(),
            version: 1,
            backup_id: id,
            connection: connection.to_string(),
            server_version: server_version.to_string(),
            pg_dump_version: pg_dump_version.to_string(),
            created_at: crate::time::now_utc(),
            globals: parts
                .iter()
                .find(|p| p.database.is_none())
                .and_then(file_of),
            databases: parts
                .iter()
                .filter_map(|p| {
                    Some(ManifestDatabase {
                        name: p.database.clone()?,
                        status: p.status,
                        database_size_bytes: p.database_size_bytes,
                        archive: file_of(p),
                        error: p.error_message.clone(),
                    })
                })
                .collect(),
            left_out: choices
                .iter()
                .filter(|c| !c.taken)
                .map(|c| LeftOut {
                    name: c.name.clone(),
                    reason: c.reason.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// Writes the manifest into the set's folder, durable, private.
pub fn write(folder: &Path, manifest: &Manifest) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    let path = folder.join(MANIFEST_FILE);
    let mut file = crate::dump::sink::create_private_file(&path)?;
    std::io::Write::write_all(&mut file, &json)?;
    file.sync_all()
}

/// Reads a set folder's manifest.
pub fn read(folder: &Path) -> std::io::Result<Manifest> {
    let text = std::fs::read(folder.join(MANIFEST_FILE))?;
    serde_json::from_slice(&text).map_err(std::io::Error::other)
}
