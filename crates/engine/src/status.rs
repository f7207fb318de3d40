//! The state of everything the app depends on, as the Dashboard and `dbm doctor` show it.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::docker::{self, DockerCheck, PostgresImage, DEFAULT_IMAGE_TEMPLATE};
use crate::dump::local_binaries::{find_local_pg_dumps, LocalPgDump};
use crate::health::{self, ConnectionHealth};
use crate::model::Problem;
use crate::secrets::{self, KeyringCheck};
use crate::store::{self, Store, StoreError};

/// The app's own database: its schema, or why it cannot be used.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseCheck {
    pub path: String,
    pub schema_version: Option<u32>,
    pub supported_schema_version: u32,
    pub problem: Option<Problem>,
}

impl DatabaseCheck {
    /// Describes the result of opening the store (which the caller keeps open).
    pub fn of(data_dir: &Path, store: Result<&Store, &StoreError>) -> DatabaseCheck {
        let (path, schema_version, problem) = match store {
            Ok(store) => match store.schema_version() {
                Ok(version) => (store.path().to_path_buf(), Some(version), None),
                Err(error) => (store.path().to_path_buf(), None, Some(error.problem())),
            },
            Err(error) => (
                data_dir.join(store::DATABASE_FILE),
                None,
                Some(error.problem()),
            ),
        };
        DatabaseCheck {
            path: path.display().to_string(),
            schema_version,
            supported_schema_version: store::latest_version(),
            problem,
        }
    }
}

/// The Dashboard's view of the system.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SystemStatus {
    pub app_version: String,
    pub data_dir: String,
    pub database: DatabaseCheck,
    pub docker: DockerCheck,
    pub keyring: KeyringCheck,
    /// Each scheduled connection's protection, overdue ones first (empty when the app's
    /// database cannot be read).
    pub health: Vec<ConnectionHealth>,
}

/// Everything `dbm doctor` reports: the status plus what could run pg_dump here.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    #[serde(flatten)]
    pub status: SystemStatus,
    pub image_template: String,
    pub postgres_images: Vec<PostgresImage>,
    pub local_pg_dumps: Vec<LocalPgDump>,
}

impl DoctorReport {
    /// Connections overdue for a good backup.
    pub fn overdue(&self) -> impl Iterator<Item = &ConnectionHealth> {
        self.status.health.iter().filter(|h| h.overdue)
    }

    /// The problems found, in the order they are shown.
    pub fn problems(&self) -> Vec<&Problem> {
        [
            &self.status.database.problem,
            &self.status.docker.problem,
            &self.status.keyring.problem,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The engine's version, which is the app's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Checks Docker and the keyring at once; describes the already opened store.
pub async fn system_status(data_dir: &Path, store: Result<&Store, &StoreError>) -> SystemStatus {
    let (docker, keyring) = tokio::join!(docker::check(), secrets::check());
    SystemStatus {
        app_version: VERSION.to_string(),
        data_dir: data_dir.display().to_string(),
        database: DatabaseCheck::of(data_dir, store),
        docker,
        keyring,
        health: match store {
            Ok(store) => health::check(store, chrono::Utc::now()).unwrap_or_else(|problem| {
                tracing::warn!(%problem, "the backups' health could not be read");
                Vec::new()
            }),
            Err(_) => Vec::new(),
        },
    }
}

/// The full report: status, the template's local images and the pg_dump binaries on disk.
pub async fn doctor(data_dir: &Path, store: Result<&Store, &StoreError>) -> DoctorReport {
    let status = system_status(data_dir, store).await;
    let postgres_images = if status.docker.problem.is_none() {
        match docker::connect().await {
            Ok(client) => docker::postgres_images(&client, DEFAULT_IMAGE_TEMPLATE)
                .await
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let local_pg_dumps = tokio::task::spawn_blocking(find_local_pg_dumps)
        .await
        .unwrap_or_default();
    DoctorReport {
        status,
        image_template: DEFAULT_IMAGE_TEMPLATE.to_string(),
        postgres_images,
        local_pg_dumps,
    }
}
