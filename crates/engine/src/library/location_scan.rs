//! What a storage location holds, seen from this library: its backups found by their
//! manifests (this installation's and others'), imported on request so a new computer can
//! restore an old one's; and the location's own retention, which only ever deletes objects
//! this installation wrote.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::backups::{layout, repository};
use crate::blocking::run_blocking;
use crate::connections::Connections;
use crate::model::{BackupId, BackupStatus, Code, ConnectionId, Problem};
use crate::storage::copies::{self as copy_rows, Stored};
use crate::storage::operator::Patience;
use crate::storage::remote_manifest::{RemoteManifest, MANIFEST_VERSION};
use crate::storage::{scan as remote_scan, CopyState, Location, Storage};
use crate::store::Store;

/// One backup found in a location.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScannedBackup {
    pub manifest_key: String,
    /// Written by this installation.
    pub ours: bool,
    pub installation_id: String,
    pub connection_name: String,
    pub started_at: String,
    /// `completed`, `partial`, or `unreadable` (the manifest could not be read: why in `note`).
    pub status: String,
    pub encrypted: bool,
    #[ts(type = "number")]
    pub stored_bytes: u64,
    /// The library's record of it, when it has one (or has just imported it).
    #[ts(type = "number | null")]
    pub backup_id: Option<i64>,
    pub note: Option<String>,
}

pub async fn scan(
    store: Arc<Store>,
    location: &Location,
    import: bool,
) -> Result<Vec<ScannedBackup>, Problem> {
    let operator = Storage::new(&store).operator(location, Patience::Copy)?;
    let found = remote_scan::manifests(&operator, &location.settings).await?;
    let lookup = store.clone();
    let location = location.clone();
    run_blocking(move || {
        let store = lookup;
        let installation = store.installation_id()?;
        let known: HashMap<String, BackupId> =
            copy_rows::in_location(&store.connection(), location.id)?
                .into_iter()
                .filter_map(|c| c.manifest_key.map(|k| (k, c.backup_id)))
                .collect();
        let mut list = Vec::new();
        for item in found {
            let manifest = match item.manifest {
                Ok(manifest) => manifest,
                Err(why) => {
                    list.push(ScannedBackup {
                        manifest_key: item.manifest_key,
                        ours: false,
                        installation_id: String::new(),
                        connection_name: String::new(),
                        started_at: String::new(),
                        status: "unreadable".into(),
                        encrypted: false,
                        stored_bytes: 0,
                        backup_id: None,
                        note: Some(why),
                    });
                    continue;
                }
            };
            let mut backup_id = known.get(&item.manifest_key).copied();
            let mut note = None;
            if backup_id.is_none() && import {
                match import_one(&store, &location, &item.manifest_key, &manifest) {
                    Ok(id) => backup_id = Some(id),
                    Err(problem) => note = Some(format!("{} {}", problem.message, problem.fix)),
                }
            }
            list.push(ScannedBackup {
                ours: manifest.installation_id == installation,
                installation_id: manifest.installation_id.clone(),
                connection_name: manifest.backup.connection_name.clone(),
                started_at: manifest.backup.started_at.clone(),
                status: manifest.backup.status.clone(),
                encrypted: manifest.encryption.is_some(),
                stored_bytes: manifest.stored_bytes(),
                backup_id: backup_id.map(|id| id.0),
                manifest_key: item.manifest_key,
                note,
            });
        }
        Ok(list)
    })
    .await
}

/// Records a found backup in this library under the connection of the same name: completed,
/// with no local file yet, and a copy in this location it can be fetched from.
fn import_one(
    store: &Store,
    location: &Location,
    manifest_key: &str,
    manifest: &RemoteManifest,
) -> Result<BackupId, Problem> {
    if manifest.manifest_version > MANIFEST_VERSION {
        return Err(Problem::new(
            Code::ImportFailed,
            format!("{manifest_key} was written by a newer version of the app."),
            "Update the app, then scan again.",
        ));
    }
    let facts = &manifest.backup;
    let connection = Connections::new(store).find(&facts.connection_name).map_err(|_| {
        Problem::new(
            Code::ImportFailed,
            format!("There is no connection named \"{}\" to import its backup under.", facts.connection_name),
            "Add the connection (to the server you will restore to), then scan again with --import.",
        )
    })?;
    let status = match facts.status.as_str() {
        "completed" => BackupStatus::Completed,
        "partial" => BackupStatus::Partial,
        other => {
            return Err(Problem::new(
                Code::ImportFailed,
                format!("{manifest_key} holds a backup that is {other}."),
                "Only completed backups are imported.",
            ))
        }
    };
    let file_name = facts.relative_path.rsplit('/').next().unwrap_or_default();
    let extension = layout::parse_name(file_name)
        .and_then(|name| {
            file_name
                .split_once(&format!("_{}.", name.backup_id))
                .map(|(_, ext)| ext.to_string())
        })
        .ok_or_else(|| {
            Problem::new(
                Code::ImportFailed,
                format!("{manifest_key} names a file this app did not write: {file_name}."),
                "Only this app's backups are imported.",
            )
        })?;
    let started: DateTime<Utc> = DateTime::parse_from_rfc3339(&facts.started_at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Problem::new(
                Code::ImportFailed,
                format!("{manifest_key} has no readable start time."),
                "Only this app's backups are imported.",
            )
        })?;
    let sql = store.connection();
    let id = repository::insert_imported(
        &sql,
        &repository::Imported {
            connection: connection.id,
            kind: &facts.kind,
            format: &facts.format,
            compression: facts.compression.as_deref(),
            pg_dump_version: facts.pg_dump_version.as_deref(),
            server_version: facts.server_version.as_deref(),
            started_at: &facts.started_at,
            completed_at: facts.completed_at.as_deref(),
            size_bytes: facts.size_bytes,
            sha256: facts.sha256.as_deref(),
            status: status.as_str(),
        },
    )?;
    drop(sql);
    let root = crate::settings::backup_root(store)?;
    let slug = layout::slug(&connection.name, connection.id.0);
    let path = layout::backup_path(&root, &slug, started, id.0, &extension);
    let sql = store.connection();
    repository::set_file_path(&sql, id, &path.display().to_string())?;
    let recipients = manifest
        .encryption
        .as_ref()
        .map(|e| e.recipients.clone())
        .unwrap_or_default();
    copy_rows::copied(
        &sql,
        id,
        location.id,
        &Stored {
            manifest_key,
            size_bytes: manifest.stored_bytes() as i64,
            recipients: &recipients,
            imported: true,
        },
    )?;
    tracing::info!(backup = id.0, location = %location.name, "backup imported from a location");
    Ok(id)
}

/// The location's retention, per connection: its `keep_last` newest copies and those younger
/// than `keep_days` stay, and always the newest copied one. Only copies this installation made
/// go (never imported ones, never another installation's objects). A backup left with no copy
/// and no local file loses its record too.
pub async fn apply_retention(
    store: Arc<Store>,
    location: &Location,
) -> Result<Vec<BackupId>, Problem> {
    if location.keep_last.is_none() && location.keep_days.is_none() {
        return Ok(Vec::new());
    }
    let lookup = store.clone();
    let location_id = location.id;
    let (installation, expired) = run_blocking(move || {
        let copies = copy_rows::in_location(&lookup.connection(), location_id)?;
        let mut by_connection: HashMap<ConnectionId, Vec<(String, BackupId, Option<String>)>> =
            HashMap::new();
        for copy in copies
            .into_iter()
            .filter(|c| c.state == CopyState::Copied && !c.imported)
        {
            let backup = repository::get(&lookup.connection(), copy.backup_id)?;
            by_connection
                .entry(backup.connection_id)
                .or_default()
                .push((backup.started_at, copy.backup_id, copy.manifest_key));
        }
        Ok((lookup.installation_id()?, by_connection))
    })
    .await?;
    let now = Utc::now();
    let mut gone = Vec::new();
    let operator = Storage::new(&store).operator(location, Patience::Copy)?;
    for (_, mut copies) in expired {
        copies.sort_by(|a, b| (&b.0, b.1 .0).cmp(&(&a.0, a.1 .0)));
        for (index, (started, id, manifest_key)) in copies.iter().enumerate() {
            if index == 0 {
                continue; // the newest copied backup always stays
            }
            let over_count = location.keep_last.is_some_and(|n| index >= n as usize);
            let too_old = location.keep_days.is_some_and(|days| {
                DateTime::parse_from_rfc3339(started)
                    .map(|t| {
                        now.signed_duration_since(t.with_timezone(&Utc)).num_days()
                            >= i64::from(days)
                    })
                    .unwrap_or(false)
            });
            if !(over_count || too_old) {
                continue;
            }
            let Some(manifest_key) = manifest_key else {
                continue;
            };
            if let Err(problem) =
                delete_copy(&operator, location, &installation, manifest_key).await
            {
                tracing::warn!(backup = id.0, location = %location.name, %problem, "retention could not delete a copy");
                continue;
            }
            let lookup = store.clone();
            let id = *id;
            run_blocking(move || {
                let sql = lookup.connection();
                copy_rows::remove(&sql, id, location_id)?;
                let backup = repository::get(&sql, id)?;
                let others = copy_rows::of_backup(&sql, id)?;
                if backup.local_removed_at.is_some() && others.is_empty() {
                    repository::delete(&sql, id)?;
                }
                Ok(())
            })
            .await?;
            tracing::info!(backup = id.0, location = %location.name, "location retention deleted a copy");
            gone.push(id);
        }
    }
    Ok(gone)
}

/// Deletes a copy's objects and then its manifest: only keys under this installation's own
/// folder, and only those its manifest lists.
async fn delete_copy(
    operator: &opendal::Operator,
    location: &Location,
    installation: &str,
    manifest_key: &str,
) -> Result<(), Problem> {
    let own = format!("{installation}/");
    if !manifest_key.starts_with(&own) {
        return Err(Problem::new(
            Code::BackupPathNotOurs,
            format!("{manifest_key} is not this installation's."),
            "It stays.",
        ));
    }
    let storage_problem =
        |e: opendal::Error| crate::storage::problems::storage_problem(&e, &location.settings);
    let manifest: RemoteManifest = match operator.read(manifest_key).await {
        Ok(buffer) => serde_json::from_slice(&buffer.to_vec()).map_err(|e| {
            Problem::new(
                Code::CopyObjectAltered,
                format!("{manifest_key} is not readable: {e}."),
                "It stays; delete it by hand if it is not needed.",
            )
        })?,
        Err(e) if e.kind() == opendal::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(storage_problem(e)),
    };
    if manifest.installation_id != installation {
        return Err(Problem::new(
            Code::BackupPathNotOurs,
            format!("{manifest_key} was written by another installation."),
            "It stays.",
        ));
    }
    for object in manifest.objects.iter().filter(|o| o.key.starts_with(&own)) {
        match operator.delete(&object.key).await {
            Ok(()) => {}
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => {}
            Err(e) => return Err(storage_problem(e)),
        }
    }
    operator.delete(manifest_key).await.map_err(storage_problem)
}
