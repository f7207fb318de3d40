//! Running commands in throwaway containers. The container's own logging is off (its output
//! comes through the attach stream only: Docker's default log driver would JSON-encode and
//! store every byte of a dump) and the container is removed on every path out, error and
//! cancellation included.

use std::pin::Pin;

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptions, RemoveContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::{Stream, StreamExt};

use crate::model::{Code, Problem};

/// What a finished container printed, and how it exited.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
}

/// Output kept per stream by `run_to_completion`: enough for versions and error messages.
const MAX_CAPTURE: usize = 64 * 1024;

/// A container to run once.
#[derive(Clone, Default)]
pub struct ContainerSpec {
    pub image: String,
    pub cmd: Vec<String>,
    /// `KEY=value`. Visible in `docker inspect` while the container exists: it exists only
    /// for the run.
    pub env: Vec<String>,
    /// Host folders or files seen inside the container.
    pub binds: Vec<Bind>,
    /// `uid:gid`, so files written to a bind mount belong to the user.
    pub user: Option<String>,
}

/// A host path mounted into the container. Given to Docker as a structured mount, not a
/// `src:dst` string, which a path holding `:` would break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    pub source: std::path::PathBuf,
    pub target: String,
    pub read_only: bool,
}

impl Bind {
    pub fn read_only(source: impl Into<std::path::PathBuf>, target: impl Into<String>) -> Bind {
        Bind {
            source: source.into(),
            target: target.into(),
            read_only: true,
        }
    }

    pub fn writable(source: impl Into<std::path::PathBuf>, target: impl Into<String>) -> Bind {
        Bind {
            source: source.into(),
            target: target.into(),
            read_only: false,
        }
    }

    fn mount(&self) -> bollard::models::Mount {
        bollard::models::Mount {
            source: Some(self.source.display().to_string()),
            target: Some(self.target.clone()),
            typ: Some(bollard::models::MountType::BIND),
            read_only: Some(self.read_only),
            ..Default::default()
        }
    }
}

/// The environment's names only: its values include the password.
impl std::fmt::Debug for ContainerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let env: Vec<&str> = self
            .env
            .iter()
            .map(|pair| pair.split_once('=').map_or(pair.as_str(), |(key, _)| key))
            .collect();
        f.debug_struct("ContainerSpec")
            .field("image", &self.image)
            .field("cmd", &self.cmd)
            .field("env", &env)
            .field("binds", &self.binds)
            .field("user", &self.user)
            .finish()
    }
}

/// Every container the app starts carries this label (value: what it runs), so leftovers of a
/// crash can be found and removed.
pub const ROLE_LABEL: &str = "dev.dbm.role";

/// Host networking on Linux reaches the host's loopback servers directly; elsewhere Docker
/// runs in a VM, and the host is `host.docker.internal`.
pub fn host_networking() -> bool {
    cfg!(target_os = "linux")
}

type OutputStream = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;

/// A started container with its output attached.
pub struct Attached {
    docker: Docker,
    id: Option<String>,
    image: String,
    pub output: OutputStream,
}

impl Attached {
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or_default()
    }

    /// The exit code. bollard reports a non-zero exit as an error; here it is an answer.
    /// (The future owns what it needs, so callers' futures stay `Send`.)
    pub fn exit_code(
        &self,
    ) -> impl std::future::Future<Output = Result<i64, Problem>> + Send + 'static {
        let (docker, id, image) = (
            self.docker.clone(),
            self.id().to_string(),
            self.image.clone(),
        );
        async move {
            let mut waits = docker.wait_container(&id, None);
            match waits.next().await {
                Some(Ok(response)) => Ok(response.status_code),
                Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => {
                    Ok(code)
                }
                Some(Err(error)) => Err(container_problem(&image, &error)),
                None => Err(Problem::new(
                    Code::DockerWaitFailed,
                    format!("Docker did not report how the container of {image} exited."),
                    "Check the Docker daemon's health; try again.",
                )),
            }
        }
    }

    /// Kills (if running) and removes the container now.
    pub async fn remove(mut self) {
        if let Some(id) = self.id.take() {
            remove(&self.docker, &id).await;
        }
    }
}

impl Drop for Attached {
    fn drop(&mut self) {
        // Dropped without `remove` (a cancelled task, a panic): remove it in the background.
        if let Some(id) = self.id.take() {
            let docker = self.docker.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { remove(&docker, &id).await });
            }
        }
    }
}

/// What marks the container as ours: its role, and the lock its owner process holds.
fn labels(spec: &ContainerSpec) -> std::collections::HashMap<String, String> {
    let mut labels = std::collections::HashMap::from([(
        ROLE_LABEL.to_string(),
        spec.cmd.first().cloned().unwrap_or_default(),
    )]);
    if let Some(owner) = super::owner::label_value() {
        labels.insert(super::owner::OWNER_LABEL.to_string(), owner);
    }
    labels
}

/// Creates the container, attaches to its output (before start, without past logs: with the
/// `none` log driver, logs(true) makes the daemon inject an error frame into stdout), starts it.
pub async fn start(docker: &Docker, spec: &ContainerSpec) -> Result<Attached, Problem> {
    let host_config = HostConfig {
        network_mode: host_networking().then(|| "host".to_string()),
        extra_hosts: (!host_networking())
            .then(|| vec!["host.docker.internal:host-gateway".to_string()]),
        log_config: Some(HostConfigLogConfig {
            typ: Some("none".into()),
            config: None,
        }),
        mounts: (!spec.binds.is_empty()).then(|| spec.binds.iter().map(Bind::mount).collect()),
        ..Default::default()
    };
    let body = ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: Some(spec.cmd.clone()),
        env: Some(spec.env.clone()),
        labels: Some(labels(spec)),
        user: spec.user.clone(),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(false),
        host_config: Some(host_config),
        ..Default::default()
    };
    let created = docker
        .create_container(None::<CreateContainerOptions>, body)
        .await
        .map_err(|e| container_problem(&spec.image, &e))?;
    let mut attached = Attached {
        docker: docker.clone(),
        id: Some(created.id.clone()),
        image: spec.image.clone(),
        output: Box::pin(futures_util::stream::empty()),
    };
    let options = AttachContainerOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .stream(true)
        .logs(false)
        .build();
    let results = docker
        .attach_container(&created.id, Some(options))
        .await
        .map_err(|e| container_problem(&spec.image, &e))?;
    attached.output = results.output;
    docker
        .start_container(&created.id, None)
        .await
        .map_err(|e| container_problem(&spec.image, &e))?;
    Ok(attached)
}

/// Runs `cmd` in `image` and waits for it to exit, capturing its output.
pub async fn run_to_completion(
    docker: &Docker,
    image: &str,
    cmd: &[&str],
) -> Result<RunOutput, Problem> {
    let spec = ContainerSpec {
        image: image.to_string(),
        cmd: cmd.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    run_spec_to_completion(docker, &spec).await
}

pub async fn run_spec_to_completion(
    docker: &Docker,
    spec: &ContainerSpec,
) -> Result<RunOutput, Problem> {
    let mut attached = start(docker, spec).await?;
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let result = async {
        while let Some(frame) = attached.output.next().await {
            match frame.map_err(|e| container_problem(&spec.image, &e))? {
                LogOutput::StdOut { message } => append_bounded(&mut stdout, &message),
                LogOutput::StdErr { message } => append_bounded(&mut stderr, &message),
                other => return Err(unexpected_frame(&spec.image, &other)),
            }
        }
        attached.exit_code().await
    }
    .await;
    attached.remove().await;
    Ok(RunOutput {
        exit_code: result?,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

pub fn unexpected_frame(image: &str, frame: &LogOutput) -> Problem {
    let kind = match frame {
        LogOutput::StdIn { .. } => "stdin",
        LogOutput::Console { .. } => "console",
        LogOutput::StdOut { .. } => "stdout",
        LogOutput::StdErr { .. } => "stderr",
    };
    Problem::new(
        Code::DockerStreamError,
        format!("The container of {image} sent an unexpected {kind} frame."),
        "Check the Docker daemon's health; try again.",
    )
}

fn append_bounded(buffer: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_CAPTURE.saturating_sub(buffer.len());
    buffer.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// A problem about running `image`: a missing image is named with how to get it.
pub(crate) fn container_problem(image: &str, error: &bollard::errors::Error) -> Problem {
    if let bollard::errors::Error::DockerResponseServerError {
        status_code: 404,
        message,
    } = error
    {
        if message.to_lowercase().contains("image") {
            return image_missing(image, None);
        }
    }
    super::unreachable(error)
}

pub(crate) fn image_missing(image: &str, pull_error: Option<&str>) -> Problem {
    let why = pull_error
        .map(|e| format!(" and could not be pulled ({e})"))
        .unwrap_or_default();
    Problem::new(
        Code::DockerImageMissing,
        format!("The Docker image {image} is not on this machine{why}."),
        format!("Pull it (docker pull {image}) or load it (docker load), or set the engine to local pg_dump in Settings."),
    )
}

async fn remove(docker: &Docker, id: &str) {
    let options = RemoveContainerOptionsBuilder::new()
        .force(true)
        .v(true)
        .build();
    if let Err(error) = docker.remove_container(id, Some(options)).await {
        tracing::warn!(container = id, %error, "could not remove a finished container");
    }
}

/// Removes the app's containers that a crash left behind. One whose owner process is dead
/// goes at once, whatever its state (a pg_dump still running for nobody, with the password in
/// its environment). One without an owner label (written by an older version) goes when it
/// ended, or never started, more than ten minutes ago. Answers how many went.
pub async fn remove_orphans(docker: &Docker) -> usize {
    const GRACE: chrono::TimeDelta = chrono::TimeDelta::minutes(10);
    let filters = std::collections::HashMap::from([("label", vec![ROLE_LABEL])]);
    let options = bollard::query_parameters::ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let Ok(containers) = docker.list_containers(Some(options)).await else {
        return 0;
    };
    let now = chrono::Utc::now();
    let mut removed = 0;
    for container in containers {
        let Some(id) = container.id else { continue };
        let owner = container
            .labels
            .as_ref()
            .and_then(|labels| labels.get(super::owner::OWNER_LABEL));
        let orphan = match owner {
            // A remote daemon's containers may belong to a process on another machine.
            Some(owner) => super::is_local_daemon() && !super::owner::is_alive(owner),
            None => {
                use bollard::models::ContainerSummaryStateEnum as State;
                let ended = matches!(
                    container.state,
                    Some(State::EXITED | State::CREATED | State::DEAD)
                );
                ended && ended_before(docker, &id, now - GRACE).await
            }
        };
        if orphan {
            tracing::warn!(container = %id, "removing a container left by a process that is gone");
            remove(docker, &id).await;
            removed += 1;
        }
    }
    removed
}

/// Whether the container ended (or, never started, was created) before `cutoff`.
async fn ended_before(docker: &Docker, id: &str, cutoff: chrono::DateTime<chrono::Utc>) -> bool {
    let Ok(details) = docker.inspect_container(id, None).await else {
        return false;
    };
    let finished = details
        .state
        .and_then(|s| s.finished_at)
        .filter(|t| !t.starts_with("0001-"));
    finished
        .or(details.created)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .is_some_and(|t| t < cutoff)
}

/// `pg_dump --version` of an image, e.g. "pg_dump (PostgreSQL) 17.6 (Debian 17.6-1)".
pub async fn pg_dump_version_of_image(docker: &Docker, image: &str) -> Result<String, Problem> {
    let output = run_to_completion(docker, image, &["pg_dump", "--version"]).await?;
    if output.exit_code != 0 {
        return Err(Problem::new(
            Code::ImageHasNoPgDump,
            format!(
                "pg_dump --version failed in {image} (exit {}): {}",
                output.exit_code,
                output.stderr.trim()
            ),
            "Use an image that contains pg_dump (the official postgres images do).",
        ));
    }
    Ok(output.stdout.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specs_debug_shows_environment_names_not_values() {
        let spec = ContainerSpec {
            image: "postgres:17".into(),
            env: vec!["PGUSER=app".into(), "PGPASSWORD=s3cret-🔑".into()],
            ..Default::default()
        };
        let shown = format!("{spec:?}");
        assert!(
            shown.contains("PGPASSWORD") && !shown.contains("s3cret"),
            "{shown}"
        );
    }
}
