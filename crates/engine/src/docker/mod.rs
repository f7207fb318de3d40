//! The local Docker daemon: is it there, which version, which `postgres:<major>` images it has.

mod image;
pub mod owner;
mod run;

use std::collections::HashMap;
use std::time::Duration;

use bollard::query_parameters::ListImagesOptionsBuilder;
use bollard::Docker;
use serde::Serialize;
use ts_rs::TS;

use crate::model::{error_chain, Code, Problem};

pub use image::ensure_image;
pub use run::{
    host_networking, pg_dump_version_of_image, remove_orphans, run_spec_to_completion,
    run_to_completion, start, unexpected_frame, Attached, Bind, ContainerSpec, RunOutput,
};

/// How long to wait for the daemon to answer before calling it unreachable.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// The default image template: `{major}` becomes the server's major version.
pub const DEFAULT_IMAGE_TEMPLATE: &str = "postgres:{major}";

/// What the Docker daemon said when asked, or why it could not be asked.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DockerCheck {
    pub version: Option<String>,
    pub api_version: Option<String>,
    pub problem: Option<Problem>,
}

/// A local image that can run pg_dump for one major.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PostgresImage {
    pub reference: String,
    pub major: Option<u32>,
    pub size_bytes: i64,
}

/// Connects to the daemon (`DOCKER_HOST` or the platform default) and agrees on an API version.
pub async fn connect() -> Result<Docker, Problem> {
    let docker = Docker::connect_with_defaults().map_err(|e| unreachable(&e))?;
    let negotiated = tokio::time::timeout(CHECK_TIMEOUT, docker.negotiate_version())
        .await
        .map_err(|_| timed_out())?;
    negotiated.map_err(|e| unreachable(&e))
}

/// Asks the daemon for its version; never fails, says what is wrong instead.
pub async fn check() -> DockerCheck {
    let answer = async {
        let docker = connect().await?;
        tokio::time::timeout(CHECK_TIMEOUT, docker.version())
            .await
            .map_err(|_| timed_out())?
            .map_err(|e| unreachable(&e))
    };
    match answer.await {
        Ok(version) => DockerCheck {
            version: version.version,
            api_version: version.api_version,
            problem: None,
        },
        Err(problem) => DockerCheck {
            version: None,
            api_version: None,
            problem: Some(problem),
        },
    }
}

/// The local images of the template's repository (`postgres` for `postgres:{major}`), by major.
pub async fn postgres_images(
    docker: &Docker,
    template: &str,
) -> Result<Vec<PostgresImage>, Problem> {
    let repository = template.split(':').next().unwrap_or(template).to_string();
    let filters = HashMap::from([("reference", vec![repository.as_str()])]);
    let options = ListImagesOptionsBuilder::new().filters(&filters).build();
    let summaries = tokio::time::timeout(CHECK_TIMEOUT, docker.list_images(Some(options)))
        .await
        .map_err(|_| timed_out())?
        .map_err(|e| unreachable(&e))?;
    let mut images: Vec<PostgresImage> = summaries
        .into_iter()
        .flat_map(|summary| {
            let size = summary.size;
            summary
                .repo_tags
                .into_iter()
                .map(move |reference| PostgresImage {
                    major: major_of_reference(&reference),
                    reference,
                    size_bytes: size,
                })
        })
        .collect();
    images.sort_by(|a, b| {
        a.major
            .cmp(&b.major)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    Ok(images)
}

/// `postgres:16` → 16, `postgres:16.4-alpine` → 16, `postgres:latest` → None.
fn major_of_reference(reference: &str) -> Option<u32> {
    let tag = reference.rsplit_once(':')?.1;
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// True when the daemon runs on this machine (a unix socket or a named pipe), so a bind mount
/// of one of our folders is our folder.
pub fn is_local_daemon() -> bool {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if !host.is_empty() => host.starts_with("unix://") || host.starts_with("npipe://"),
        _ => true,
    }
}

/// Where the daemon is looked for, for messages.
fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| {
        if cfg!(windows) {
            "npipe:////./pipe/docker_engine".into()
        } else {
            "unix:///var/run/docker.sock".into()
        }
    })
}

const USE_LOCAL_HINT: &str = "or set the engine to local pg_dump in Settings";

fn timed_out() -> Problem {
    Problem::new(
        Code::DockerTimeout,
        format!(
            "Docker did not answer at {} within {} s.",
            docker_host(),
            CHECK_TIMEOUT.as_secs()
        ),
        format!(
            "Check that the Docker daemon is healthy (restart it if it hangs), {USE_LOCAL_HINT}."
        ),
    )
}

pub(crate) fn unreachable(error: &bollard::errors::Error) -> Problem {
    let detail = error_chain(error);
    let lower = detail.to_lowercase();
    if lower.contains("permission denied") {
        Problem::new(
            Code::DockerPermissionDenied,
            format!("Docker is running but this user may not use it ({}).", docker_host()),
            format!(
                "Add your user to the docker group (sudo usermod -aG docker $USER) and log in again, {USE_LOCAL_HINT}."
            ),
        )
    } else if lower.contains("no such file")
        || lower.contains("connection refused")
        || lower.contains("socket not found")
        || lower.contains("cannot find the file")
        || lower.contains("error trying to connect")
    {
        Problem::new(
            Code::DockerNotRunning,
            format!("Docker is not running: nothing answers at {}.", docker_host()),
            format!("Start Docker (sudo systemctl start docker, or open Docker Desktop), {USE_LOCAL_HINT}."),
        )
    } else {
        Problem::new(
            Code::DockerUnreachable,
            format!("Docker at {} could not be reached: {detail}", docker_host()),
            format!("Check that the Docker daemon is running and healthy, {USE_LOCAL_HINT}."),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_major_from_an_image_tag() {
        assert_eq!(major_of_reference("postgres:16"), Some(16));
        assert_eq!(major_of_reference("postgres:16.4-alpine"), Some(16));
        assert_eq!(major_of_reference("registry:5000/postgres:13"), Some(13));
        assert_eq!(major_of_reference("postgres:latest"), None);
        assert_eq!(major_of_reference("postgres"), None);
    }
}
