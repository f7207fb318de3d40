//! The small JSON file stored beside each backup in a location: what the backup is (versions,
//! sizes, SHA-256), which installation wrote it, how it is encrypted, and each object's key.
//! A scan reads these alone, so a new computer can list and import an old one's backups.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The format this build writes; a manifest with a higher one is listed but not imported.
pub const MANIFEST_VERSION: u32 = 1;
pub const MANIFEST_SUFFIX: &str = ".manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteManifest {
    pub manifest_version: u32,
    /// The installation (data dir) that made the backup: retention there touches only its own.
    pub installation_id: String,
    pub backup: BackupFacts,
    /// None: stored as it is.
    pub encryption: Option<Encryption>,
    /// One object for a file; one per file for a folder (the directory format, a set).
    pub objects: Vec<StoredObject>,
}

/// What the backup was, as its record said when it was copied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupFacts {
    #[ts(type = "number")]
    pub id: i64,
    pub connection_name: String,
    /// The file's (or folder's) path under the backup root, `/`-separated.
    pub relative_path: String,
    pub is_folder: bool,
    /// `database` or `server`.
    pub kind: String,
    /// `custom`, `plain`, `directory`, `tar`.
    pub format: String,
    pub compression: Option<String>,
    pub pg_dump_version: Option<String>,
    pub server_version: Option<String>,
    pub started_at: String,
    pub completed_at: Option<String>,
    /// As the library records it (of the file, or of the folder's files).
    pub sha256: Option<String>,
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    /// `completed` or `partial`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Encryption {
    /// Always `age`.
    pub format: String,
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoredObject {
    /// The key, relative to the location's root.
    pub key: String,
    /// Its path inside the backup's folder; empty for a backup that is one file.
    pub path: String,
    /// Of the object as stored.
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
    /// Of the file before encryption (equal to the above when not encrypted).
    pub plain_sha256: String,
    #[ts(type = "number")]
    pub plain_size: u64,
}

impl RemoteManifest {
    pub fn stored_bytes(&self) -> u64 {
        self.objects.iter().map(|o| o.size).sum()
    }
}

/// Where a backup's objects go: the installation's own folder, then the backup's path as it is
/// under the local root (`<slug>/<YYYY>/<MM>/<file>`), so two installations never mix.
pub fn backup_key(installation_id: &str, relative_path: &str) -> String {
    format!(
        "{installation_id}/{}",
        relative_path.trim_start_matches('/')
    )
}

pub fn manifest_key(backup_key: &str) -> String {
    format!("{backup_key}{MANIFEST_SUFFIX}")
}

/// The key of one file: the backup's key itself, or a path under it; `.age` when encrypted.
pub fn object_key(backup_key: &str, path_in_folder: &str, encrypted: bool) -> String {
    let mut key = if path_in_folder.is_empty() {
        backup_key.to_string()
    } else {
        format!("{backup_key}/{path_in_folder}")
    };
    if encrypted {
        key.push_str(".age");
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_put_each_installation_in_its_own_folder() {
        let key = backup_key("inst-1", "/shop/2026/12/shop_20261201T100000Z_7.dump");
        assert_eq!(key, "inst-1/shop/2026/12/shop_20261201T100000Z_7.dump");
        assert_eq!(manifest_key(&key), format!("{key}.manifest.json"));
        assert_eq!(object_key(&key, "", true), format!("{key}.age"));
        assert_eq!(object_key(&key, "toc.dat", false), format!("{key}/toc.dat"));
    }
}
