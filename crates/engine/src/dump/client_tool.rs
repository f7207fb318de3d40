//! PostgreSQL's client tools besides pg_dump (pg_restore, psql) run against a server: in the
//! runner's container (host paths mounted at the same path) or beside the local pg_dump.
//! Their stderr is passed on line by line (pg_restore --verbose reports each object).

use std::path::Path;
use std::process::Stdio;

use bollard::container::LogOutput;
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::docker_dump::{connected_spec, owner_of};
use super::invocation::{clear_libpq_env, libpq_env, root_certificate, Exit};
use super::local_dump::sibling;
use super::runner::Runner;
use super::sink::Tail;
use crate::docker;
use crate::model::{Code, Problem};
use crate::pg::ConnectTarget;

/// Runs `tool` with `args` against `target`; `folder` is readable by the tool at its own path.
pub async fn run(
    runner: &Runner,
    tool: &str,
    args: &[String],
    target: &ConnectTarget,
    folder: &Path,
    on_line: &(dyn Fn(&str) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let folder = Folder {
        path: folder,
        writable: false,
    };
    run_in(runner, tool, args, target, folder, &[], on_line, cancel).await
}

/// The host folder a tool sees at its own path.
#[derive(Debug, Clone, Copy)]
pub struct Folder<'a> {
    pub path: &'a Path,
    /// Written into (as the folder's owner), not only read.
    pub writable: bool,
}

/// As `run`, with `env` added to the tool's environment and the folder as asked. A tool named
/// by an absolute path (`/bin/sh`) runs as named; any other name is the one beside the chosen
/// pg_dump. Locally, that pg_dump's folder comes first on PATH, so a script finds its tools.
#[allow(clippy::too_many_arguments)]
pub async fn run_in(
    runner: &Runner,
    tool: &str,
    args: &[String],
    target: &ConnectTarget,
    folder: Folder<'_>,
    env: &[(String, String)],
    on_line: &(dyn Fn(&str) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let call = Call {
        tool,
        args,
        target,
        env,
        on_line,
        cancel,
    };
    match runner {
        Runner::Docker { docker, image, .. } => in_container(docker, image, folder, &call).await,
        Runner::Local { pg_dump, .. } => beside(pg_dump, &call).await,
    }
}

/// One run of a tool, whichever way it runs.
struct Call<'a> {
    tool: &'a str,
    args: &'a [String],
    target: &'a ConnectTarget,
    env: &'a [(String, String)],
    on_line: &'a (dyn Fn(&str) + Send + Sync),
    cancel: &'a CancellationToken,
}

/// In the runner's image, `folder` mounted at its own path; its output read from the
/// container's log stream.
async fn in_container(
    docker: &bollard::Docker,
    image: &str,
    folder: Folder<'_>,
    call: &Call<'_>,
) -> Result<Exit, Problem> {
    let Call {
        tool,
        args,
        target,
        env,
        on_line,
        cancel,
    } = *call;
    let mut spec = connected_spec(image, tool, args, target);
    let at = folder.path.display().to_string();
    if folder.writable {
        spec.binds.push(docker::Bind::writable(folder.path, at));
        // What the tool writes belongs to the user who owns the folder.
        spec.user = owner_of(folder.path);
    } else {
        spec.binds.push(docker::Bind::read_only(folder.path, at));
    }
    spec.env
        .extend(env.iter().map(|(key, value)| format!("{key}={value}")));
    let mut attached = docker::start(docker, &spec).await?;
    let mut tail = Tail::default();
    let mut exit = Exit::default();
    let mut pending = String::new();
    let streamed: Result<(), Problem> = async {
        loop {
            let frame = tokio::select! {
                frame = attached.output.next() => frame,
                _ = cancel.cancelled() => { exit.cancelled = true; return Ok(()); }
            };
            let Some(frame) = frame else { return Ok(()) };
            match frame {
                Ok(LogOutput::StdErr { message } | LogOutput::StdOut { message }) => {
                    tail.push(&message);
                    pending.push_str(&String::from_utf8_lossy(&message));
                    while let Some(end) = pending.find('\n') {
                        on_line(pending[..end].trim_end());
                        pending.drain(..=end);
                    }
                }
                Ok(other) => return Err(docker::unexpected_frame(image, &other)),
                Err(error) => {
                    return Err(Problem::new(
                        Code::DockerStreamFailed,
                        format!("The output of {tool} in {image} broke off: {error}."),
                        "Check that the Docker daemon is still running, then try again.",
                    ))
                }
            }
        }
    }
    .await;
    if let Err(problem) = streamed {
        attached.remove().await;
        return Err(problem);
    }
    if !exit.cancelled {
        exit.exit_code = attached.exit_code().await?;
    }
    attached.remove().await;
    exit.stderr = tail.text();
    Ok(exit)
}

/// The local binary beside the chosen pg_dump, its stderr read line by line.
async fn beside(pg_dump: &Path, call: &Call<'_>) -> Result<Exit, Problem> {
    let Call {
        tool,
        args,
        target,
        env,
        on_line,
        cancel,
    } = *call;
    let binary = if Path::new(tool).is_absolute() {
        Path::new(tool).to_path_buf()
    } else {
        sibling(pg_dump, tool)
    };
    let root_cert = root_certificate(target.sslmode).map(|p| p.display().to_string());
    let mut command = Command::new(&binary);
    clear_libpq_env(&mut command);
    if let Some(tools) = pg_dump.parent() {
        let mut path = vec![tools.to_path_buf()];
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        if let Ok(joined) = std::env::join_paths(path) {
            command.env("PATH", joined);
        }
    }
    let mut child = command
        .args(args)
        .envs(libpq_env(target, &target.host, root_cert.as_deref()))
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            Problem::new(
                Code::ToolNotRunnable,
                format!("{} could not be started: {e}.", binary.display()),
                "Install the PostgreSQL client tools beside pg_dump, or use Docker.",
            )
        })?;
    let mut exit = Exit::default();
    let mut tail = Tail::default();
    if let Some(stderr) = child.stderr.take() {
        // Bytes, not UTF-8 lines: a LATIN1 or SQL_ASCII database's messages are not
        // UTF-8, and a reader that stopped at one would leave the tool to die of SIGPIPE.
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = tokio::select! {
                read = reader.read_until(b'\n', &mut line) => read,
                _ = cancel.cancelled() => { exit.cancelled = true; break; }
            };
            match read {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    tail.push(&line);
                    on_line(String::from_utf8_lossy(&line).trim_end());
                }
            }
        }
    }
    if exit.cancelled {
        let _ = child.kill().await;
    } else {
        let status = child.wait().await.map_err(|e| {
            Problem::new(
                Code::ToolWaitFailed,
                format!("{tool}'s exit could not be read: {e}."),
                "Try again.",
            )
        })?;
        exit.exit_code = status.code().map_or(-1, i64::from);
    }
    exit.stderr = tail.text();
    Ok(exit)
}
