//! pg_dump and pg_restore in a `postgres:<major>` container.

use std::path::Path;

use bollard::container::LogOutput;
use bollard::Docker;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::invocation::{libpq_env, root_certificate, Destination, Exit};
use super::sink::Tail;
use crate::docker::{self, Bind, ContainerSpec};
use crate::model::{Code, Problem};
use crate::pg::ConnectTarget;

const OUT_MOUNT: &str = "/dbm-out";
const IN_MOUNT: &str = "/dbm-in";
const ROOT_CERT_MOUNT: &str = "/dbm-tls/root.crt";

/// Runs pg_dump in `image`. Streamed output arrives through the attach stream and goes to the
/// sink; the directory format is written by pg_dump into a bind mount.
pub async fn dump(
    docker: &Docker,
    image: &str,
    target: &ConnectTarget,
    args: &[String],
    destination: Destination<'_>,
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let mut spec = connected_spec(image, "pg_dump", args, target);

    let sink = match destination {
        Destination::Stream(sink) => Some(sink),
        Destination::Path(path) => {
            let (parent, name) = split(path)?;
            spec.binds.push(Bind::writable(parent, OUT_MOUNT));
            spec.cmd.push(format!("--file={OUT_MOUNT}/{name}"));
            spec.user = owner_of(parent);
            None
        }
    };

    let mut attached = docker::start(docker, &spec).await?;
    let mut stderr = Tail::default();
    let mut exit = Exit::default();
    let streamed: Result<(), Problem> = async {
        loop {
            let frame = tokio::select! {
                frame = attached.output.next() => frame,
                _ = cancel.cancelled() => {
                    exit.cancelled = true;
                    return Ok(());
                }
            };
            let Some(frame) = frame else { return Ok(()) };
            match frame.map_err(|e| stream_problem(image, &e))? {
                LogOutput::StdOut { message } => match sink {
                    Some(sink) => {
                        if sink.write(message).await.is_err() {
                            exit.writer_failed = true;
                            return Ok(());
                        }
                    }
                    None => stderr.push(&message),
                },
                LogOutput::StdErr { message } => stderr.push(&message),
                other => return Err(docker::unexpected_frame(image, &other)),
            }
        }
    }
    .await;
    if let Err(problem) = streamed {
        attached.remove().await;
        return Err(problem);
    }
    if !exit.cancelled && !exit.writer_failed {
        exit.exit_code = attached.exit_code().await?;
    }
    // Stops a pg_dump still running (cancel, writer failure) and removes the container, whose
    // environment holds the password.
    attached.remove().await;
    exit.stderr = stderr.text();
    Ok(exit)
}

/// pg_restore with `flag` (`--list`, `--file=/dev/null`) on an archive, mounted read-only.
pub async fn read_archive(
    docker: &Docker,
    image: &str,
    archive: &Path,
    flag: &str,
) -> Result<Exit, Problem> {
    let (parent, name) = split(archive)?;
    let spec = ContainerSpec {
        image: image.to_string(),
        cmd: vec![
            "pg_restore".into(),
            flag.into(),
            format!("{IN_MOUNT}/{name}"),
        ],
        binds: vec![Bind::read_only(parent, IN_MOUNT)],
        ..Default::default()
    };
    let output = docker::run_spec_to_completion(docker, &spec).await?;
    Ok(Exit {
        exit_code: output.exit_code,
        stderr: output.stderr,
        ..Default::default()
    })
}

/// A container running `tool` with `args` against `target`: libpq's environment (password
/// included, never argv), the host as the container sees it, the CA file mounted when checked.
pub(super) fn connected_spec(
    image: &str,
    tool: &str,
    args: &[String],
    target: &ConnectTarget,
) -> ContainerSpec {
    let mut spec = ContainerSpec {
        image: image.to_string(),
        cmd: std::iter::once(tool.to_string())
            .chain(args.iter().cloned())
            .collect(),
        ..Default::default()
    };
    let host = container_host(&target.host, &mut spec.binds);
    let root_cert = root_certificate(target.sslmode).map(|path| {
        spec.binds.push(Bind::read_only(path, ROOT_CERT_MOUNT));
        ROOT_CERT_MOUNT
    });
    spec.env = libpq_env(target, &host, root_cert)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    spec
}

/// The host as seen from the container. Loopback works as is with host networking (Linux);
/// elsewhere the host is `host.docker.internal`. A socket folder is mounted at the same path.
fn container_host(host: &str, binds: &mut Vec<Bind>) -> String {
    if host.starts_with('/') {
        binds.push(Bind::writable(host, host));
        return host.to_string();
    }
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1") || host.starts_with("127.");
    if loopback && !docker::host_networking() {
        "host.docker.internal".to_string()
    } else {
        host.to_string()
    }
}

fn split(path: &Path) -> Result<(&Path, String), Problem> {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => Ok((parent, name.to_string_lossy().into_owned())),
        _ => Err(Problem::new(
            Code::InvalidBackupPath,
            format!("{} is not a file path.", path.display()),
            "Choose a backup folder that is a normal directory.",
        )),
    }
}

/// `uid:gid` of a folder, so pg_dump in the container writes files the user owns.
pub(super) fn owner_of(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir)
            .ok()
            .map(|m| format!("{}:{}", m.uid(), m.gid()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

fn stream_problem(image: &str, error: &bollard::errors::Error) -> Problem {
    Problem::new(
        Code::DockerStreamFailed,
        format!("The output of pg_dump in {image} broke off: {error}."),
        "Check that the Docker daemon is still running, then try again.",
    )
}
