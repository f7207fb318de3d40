//! What a location holds: every backup manifest under its root, this installation's and
//! others', read without downloading a backup.

use futures_util::TryStreamExt;
use opendal::Operator;

use super::model::LocationSettings;
use super::problems::storage_problem;
use super::remote_manifest::{RemoteManifest, MANIFEST_SUFFIX};
use crate::model::Problem;

/// A manifest found, or why one could not be read.
#[derive(Debug, Clone)]
pub struct Found {
    pub manifest_key: String,
    pub manifest: Result<RemoteManifest, String>,
}

/// The most manifests one scan reads (a bucket of another app's millions of objects does not
/// run for ever).
const MAX_MANIFESTS: usize = 10_000;

pub async fn manifests(
    operator: &Operator,
    settings: &LocationSettings,
) -> Result<Vec<Found>, Problem> {
    let mut lister = operator
        .lister_with("")
        .recursive(true)
        .await
        .map_err(|e| storage_problem(&e, settings))?;
    let mut keys = Vec::new();
    while let Some(entry) = lister
        .try_next()
        .await
        .map_err(|e| storage_problem(&e, settings))?
    {
        if entry.path().ends_with(MANIFEST_SUFFIX) {
            keys.push(entry.path().to_string());
            if keys.len() >= MAX_MANIFESTS {
                break;
            }
        }
    }
    keys.sort();
    let mut found = Vec::new();
    for key in keys {
        let manifest = match operator.read(&key).await {
            Ok(buffer) => serde_json::from_slice::<RemoteManifest>(&buffer.to_vec())
                .map_err(|e| format!("not a manifest this app reads: {e}")),
            Err(error) => Err(storage_problem(&error, settings).message),
        };
        found.push(Found {
            manifest_key: key,
            manifest,
        });
    }
    Ok(found)
}
