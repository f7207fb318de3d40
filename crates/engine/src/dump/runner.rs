//! The pg_dump that runs a backup: in a `postgres:<major>` container, or a local binary.

use std::path::{Path, PathBuf};

use bollard::Docker;
use tokio_util::sync::CancellationToken;

use super::invocation::{Destination, Exit};
use super::local_binaries::{find_local_pg_dumps, parse_version_line};

use crate::docker;
use crate::model::{Code, Problem, RunnerKind};
use crate::pg::ConnectTarget;
use crate::settings::{self, EnginePolicy};
use crate::store::Store;

/// A pg_dump ready to run, with its version.
pub enum Runner {
    Docker {
        docker: Docker,
        image: String,
        version: String,
        major: u32,
    },
    Local {
        pg_dump: PathBuf,
        version: String,
        major: u32,
    },
}

impl Runner {
    pub fn kind(&self) -> RunnerKind {
        match self {
            Runner::Docker { .. } => RunnerKind::Docker,
            Runner::Local { .. } => RunnerKind::Local,
        }
    }

    /// The image or the binary's path.
    pub fn detail(&self) -> String {
        match self {
            Runner::Docker { image, .. } => image.clone(),
            Runner::Local { pg_dump, .. } => pg_dump.display().to_string(),
        }
    }

    pub fn version(&self) -> &str {
        match self {
            Runner::Docker { version, .. } | Runner::Local { version, .. } => version,
        }
    }

    pub fn major(&self) -> u32 {
        match self {
            Runner::Docker { major, .. } | Runner::Local { major, .. } => *major,
        }
    }

    pub async fn dump(
        &self,
        target: &ConnectTarget,
        args: &[String],
        destination: Destination<'_>,
        cancel: &CancellationToken,
    ) -> Result<Exit, Problem> {
        match self {
            Runner::Docker { docker, image, .. } => {
                super::docker_dump::dump(docker, image, target, args, destination, cancel).await
            }
            Runner::Local { pg_dump, .. } => {
                super::local_dump::dump(pg_dump, target, args, destination, cancel).await
            }
        }
    }

    /// Whether pg_dump can write the backup path itself: locally, or in a container of a daemon
    /// on this machine through a bind mount. That skips a copy through Docker's attach stream
    /// (measured faster here); a remote daemon cannot see our disk, so it streams.
    pub fn writes_to_disk(&self) -> bool {
        match self {
            Runner::Local { .. } => true,
            Runner::Docker { .. } => docker::is_local_daemon(),
        }
    }

    /// `pg_restore --list` of an archive with this runner's tools: proves its table of
    /// contents is readable.
    pub async fn restore_list(&self, archive: &Path) -> Result<Exit, Problem> {
        self.read_archive(archive, "--list").await
    }

    /// pg_restore of the whole archive into nothing (`--file=/dev/null`): reads every data
    /// block, so an archive cut short fails where `--list` would pass.
    pub async fn restore_read_all(&self, archive: &Path) -> Result<Exit, Problem> {
        self.read_archive(archive, "--file=/dev/null").await
    }

    async fn read_archive(&self, archive: &Path, flag: &str) -> Result<Exit, Problem> {
        match self {
            Runner::Docker { docker, image, .. } => {
                super::docker_dump::read_archive(docker, image, archive, flag).await
            }
            Runner::Local { pg_dump, .. } => {
                super::local_dump::read_archive(pg_dump, archive, flag).await
            }
        }
    }
}

/// Picks the runner by policy for a server of `server_major`.
pub async fn choose(
    store: &Store,
    policy: EnginePolicy,
    image_template: &str,
    server_major: u32,
    pull_progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<Runner, Problem> {
    match policy {
        EnginePolicy::Docker => docker_runner(store, image_template, server_major, pull_progress).await,
        EnginePolicy::Local => local_runner(server_major).await,
        EnginePolicy::Auto => match docker_runner(store, image_template, server_major, pull_progress).await {
            Ok(runner) => Ok(runner),
            Err(docker_problem) => match local_runner(server_major).await {
                Ok(runner) => {
                    tracing::info!(reason = %docker_problem.message, "Docker cannot serve; using a local pg_dump");
                    Ok(runner)
                }
                Err(local_problem) => Err(Problem::new(
                    Code::NoPgDumpAvailable,
                    format!(
                        "No pg_dump can back up this PostgreSQL {server_major} server. Docker: {} Local: {}",
                        docker_problem.message, local_problem.message
                    ),
                    format!("{} Or: {}", docker_problem.fix, local_problem.fix),
                )),
            },
        },
    }
}

async fn docker_runner(
    store: &Store,
    image_template: &str,
    server_major: u32,
    pull_progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<Runner, Problem> {
    let docker = docker::connect().await?;
    let image = image_template.replace("{major}", &server_major.to_string());
    let image_id = docker::ensure_image(&docker, &image, pull_progress).await?;
    // An image's pg_dump never changes: ask once per image id, not once per backup.
    let cache_key = format!("pg_dump_version:{image_id}");
    let version_line = match settings::get(store, &cache_key).ok().flatten() {
        Some(cached) => cached,
        None => {
            let line = docker::pg_dump_version_of_image(&docker, &image).await?;
            let _ = settings::set(store, &cache_key, &line);
            line
        }
    };
    let (version, major) = parse_version_line(&version_line).ok_or_else(|| {
        Problem::new(
            Code::ImageHasNoPgDump,
            format!("{image} answered pg_dump --version with \"{version_line}\"."),
            "Use an image that contains pg_dump (the official postgres images do).",
        )
    })?;
    if major < server_major {
        let wanted =
            crate::docker::DEFAULT_IMAGE_TEMPLATE.replace("{major}", &server_major.to_string());
        return Err(Problem::new(
            Code::PgDumpTooOld,
            format!(
                "pg_dump {version} (in the image {image}) cannot dump a PostgreSQL {server_major} server: \
                 pg_dump must be at least as new as the server."
            ),
            format!(
                "Use the image {wanted} (the image template postgres:{{major}} picks it), or one with pg_dump \
                 {server_major} or newer."
            ),
        ));
    }
    Ok(Runner::Docker {
        docker,
        image,
        version,
        major,
    })
}

async fn local_runner(server_major: u32) -> Result<Runner, Problem> {
    let found = tokio::task::spawn_blocking(find_local_pg_dumps)
        .await
        .unwrap_or_default();
    // Newest first: the newest that fits dumps every older server too.
    match found.iter().find(|b| b.major >= server_major) {
        Some(binary) => Ok(Runner::Local {
            pg_dump: PathBuf::from(&binary.path),
            version: binary.version.clone(),
            major: binary.major,
        }),
        None => {
            let seen = if found.is_empty() {
                "none was found".to_string()
            } else {
                found
                    .iter()
                    .map(|b| format!("{} at {}", b.version, b.path))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Err(Problem::new(
                Code::LocalPgDumpMissing,
                format!("No local pg_dump {server_major} or newer ({seen})."),
                format!("Install the PostgreSQL {server_major} client tools (e.g. postgresql-client-{server_major}), or use Docker."),
            ))
        }
    }
}
