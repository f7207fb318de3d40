//! Running a short command in a throwaway container and capturing what it printed.
//! The container's own logging is off (its output comes through the attach stream only) and
//! the container is removed on every path out, error and cancellation included.

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptions, RemoveContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::StreamExt;

use crate::problem::Problem;

/// What a finished container printed, and how it exited.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
}

/// Output kept per stream: enough for version strings and error messages.
const MAX_CAPTURE: usize = 64 * 1024;

/// Runs `cmd` in `image` with host networking and waits for it to exit.
pub async fn run_to_completion(
    docker: &Docker,
    image: &str,
    cmd: &[&str],
) -> Result<RunOutput, Problem> {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(false),
        host_config: Some(HostConfig {
            network_mode: Some("host".into()),
            log_config: Some(HostConfigLogConfig {
                typ: Some("none".into()),
                config: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = docker
        .create_container(None::<CreateContainerOptions>, body)
        .await
        .map_err(|e| container_problem(image, &e))?;
    let guard = RemoveOnDrop {
        docker: docker.clone(),
        id: Some(created.id.clone()),
    };
    let result = attach_start_wait(docker, &created.id, image).await;
    guard.remove_now().await;
    result
}

async fn attach_start_wait(docker: &Docker, id: &str, image: &str) -> Result<RunOutput, Problem> {
    // Attach before start, without past logs: with the `none` log driver, logs(true) makes
    // the daemon inject an error frame into stdout.
    let options = AttachContainerOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .stream(true)
        .logs(false)
        .build();
    let mut attached = docker
        .attach_container(id, Some(options))
        .await
        .map_err(|e| container_problem(image, &e))?;
    docker
        .start_container(id, None)
        .await
        .map_err(|e| container_problem(image, &e))?;

    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    while let Some(frame) = attached.output.next().await {
        match frame.map_err(|e| container_problem(image, &e))? {
            LogOutput::StdOut { message } => append_bounded(&mut stdout, &message),
            LogOutput::StdErr { message } => append_bounded(&mut stderr, &message),
            other => {
                return Err(Problem::new(
                    "docker_stream_error",
                    format!("The container of {image} sent an unexpected frame ({other:?})."),
                    "Check the Docker daemon's health; try again.",
                ))
            }
        }
    }
    let exit_code = wait_exit_code(docker, id, image).await?;
    Ok(RunOutput {
        exit_code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// The container's exit code. bollard reports a non-zero exit as an error; it is an answer here.
pub(crate) async fn wait_exit_code(docker: &Docker, id: &str, image: &str) -> Result<i64, Problem> {
    let mut waits = docker.wait_container(id, None);
    match waits.next().await {
        Some(Ok(response)) => Ok(response.status_code),
        Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
        Some(Err(error)) => Err(container_problem(image, &error)),
        None => Err(Problem::new(
            "docker_wait_failed",
            format!("Docker did not report how the container of {image} exited."),
            "Check the Docker daemon's health; try again.",
        )),
    }
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
            return Problem::new(
                "docker_image_missing",
                format!("The Docker image {image} is not on this machine."),
                format!("Pull it (docker pull {image}), or set the engine to local pg_dump in Settings."),
            );
        }
    }
    super::unreachable(error)
}

/// Removes the container when dropped (a cancelled task included), or at once with `remove_now`.
struct RemoveOnDrop {
    docker: Docker,
    id: Option<String>,
}

impl RemoveOnDrop {
    async fn remove_now(mut self) {
        if let Some(id) = self.id.take() {
            remove(&self.docker, &id).await;
        }
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let docker = self.docker.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { remove(&docker, &id).await });
            }
        }
    }
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

/// `pg_dump --version` of an image, e.g. "pg_dump (PostgreSQL) 17.6 (Debian 17.6-1)".
pub async fn pg_dump_version_of_image(docker: &Docker, image: &str) -> Result<String, Problem> {
    let output = run_to_completion(docker, image, &["pg_dump", "--version"]).await?;
    if output.exit_code != 0 {
        return Err(Problem::new(
            "image_has_no_pg_dump",
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
