//! pg_dump and pg_restore installed on this machine.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use bytes::Bytes;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStderr, ChildStdout, Command};
use tokio_util::sync::CancellationToken;

use super::invocation::{clear_libpq_env, libpq_env, root_certificate, Destination, Exit};
use super::sink::{Sink, Tail};
use crate::model::{Code, Problem};
use crate::pg::ConnectTarget;

const READ_CHUNK: usize = 256 * 1024;

/// Runs the local pg_dump into `destination`; cancelling kills it.
pub async fn dump(
    pg_dump: &Path,
    target: &ConnectTarget,
    args: &[String],
    destination: Destination<'_>,
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let (mut child, sink) = spawn(pg_dump, target, args, destination)?;
    let stderr = child.stderr.take().map(collect_tail);
    let mut exit = Exit::default();
    if let (Some(sink), Some(stdout)) = (sink, child.stdout.take()) {
        stream(&mut child, stdout, sink, cancel, &mut exit).await?;
    }
    wait(&mut child, cancel, &mut exit).await?;
    if let Some(task) = stderr {
        exit.stderr = task.await.map(|t| t.text()).unwrap_or_default();
    }
    Ok(exit)
}

/// Starts pg_dump with our libpq environment only, writing to stdout (for the app's sink) or
/// to a path of its own.
fn spawn<'a>(
    pg_dump: &Path,
    target: &ConnectTarget,
    args: &[String],
    destination: Destination<'a>,
) -> Result<(Child, Option<&'a Sink>), Problem> {
    let root_cert = root_certificate(target.sslmode).map(|p| p.display().to_string());
    let mut command = Command::new(pg_dump);
    clear_libpq_env(&mut command);
    command
        .args(args)
        .envs(libpq_env(target, &target.host, root_cert.as_deref()))
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let sink = match destination {
        Destination::Stream(sink) => {
            command.stdout(Stdio::piped());
            Some(sink)
        }
        Destination::Path(path) => {
            command
                .arg(format!("--file={}", path.display()))
                .stdout(Stdio::null());
            None
        }
    };
    let child = command.spawn().map_err(|e| {
        Problem::new(
            Code::PgDumpNotRunnable,
            format!("{} could not be started: {e}.", pg_dump.display()),
            "Reinstall the PostgreSQL client tools, or use Docker.",
        )
    })?;
    Ok((child, sink))
}

/// The last of pg_dump's stderr, read on its own task so a full pipe never blocks it.
fn collect_tail(mut stderr: ChildStderr) -> tokio::task::JoinHandle<Tail> {
    tokio::spawn(async move {
        let mut tail = Tail::default();
        let mut buffer = vec![0; 8192];
        while let Ok(n) = stderr.read(&mut buffer).await {
            if n == 0 {
                break;
            }
            tail.push(&buffer[..n]);
        }
        tail
    })
}

/// pg_dump's stdout into the sink until it ends, the sink fails or the run is cancelled.
async fn stream(
    child: &mut Child,
    mut stdout: ChildStdout,
    sink: &Sink,
    cancel: &CancellationToken,
    exit: &mut Exit,
) -> Result<(), Problem> {
    loop {
        let mut buffer = vec![0; READ_CHUNK];
        let read = tokio::select! {
            read = stdout.read(&mut buffer) => read,
            _ = cancel.cancelled() => { exit.cancelled = true; return Ok(()); }
        };
        match read {
            Ok(0) => return Ok(()),
            Ok(n) => {
                buffer.truncate(n);
                if sink.write(Bytes::from(buffer)).await.is_err() {
                    exit.writer_failed = true;
                    return Ok(());
                }
            }
            Err(error) => {
                let _ = child.kill().await;
                return Err(Problem::new(
                    Code::PgDumpOutputFailed,
                    format!("Reading pg_dump's output failed: {error}."),
                    "Try again.",
                ));
            }
        }
    }
}

/// pg_dump's exit code; killed instead when the run was cancelled or the sink failed.
async fn wait(
    child: &mut Child,
    cancel: &CancellationToken,
    exit: &mut Exit,
) -> Result<(), Problem> {
    let status = if exit.cancelled || exit.writer_failed {
        let _ = child.kill().await;
        None
    } else {
        tokio::select! {
            status = child.wait() => Some(status),
            _ = cancel.cancelled() => { exit.cancelled = true; let _ = child.kill().await; None }
        }
    };
    if let Some(status) = status {
        let status = status.map_err(|e| {
            Problem::new(
                Code::PgDumpWaitFailed,
                format!("pg_dump's exit could not be read: {e}."),
                "Try again.",
            )
        })?;
        exit.exit_code = status.code().map_or(-1, i64::from);
    }
    Ok(())
}

/// pg_restore with `flag` (`--list`, `--file=/dev/null`) on an archive, with the pg_restore
/// beside the pg_dump that wrote it.
pub async fn read_archive(pg_dump: &Path, archive: &Path, flag: &str) -> Result<Exit, Problem> {
    let pg_restore = sibling(pg_dump, "pg_restore");
    let mut command = Command::new(&pg_restore);
    clear_libpq_env(&mut command);
    let output = command
        .arg(flag)
        .arg(archive)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .await
        .map_err(|e| {
            Problem::new(
                Code::PgRestoreNotRunnable,
                format!("{} could not be started: {e}.", pg_restore.display()),
                "Install pg_restore beside pg_dump (same PostgreSQL client package).",
            )
        })?;
    Ok(Exit {
        exit_code: output.status.code().map_or(-1, i64::from),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        ..Default::default()
    })
}

pub(super) fn sibling(binary: &Path, name: &str) -> PathBuf {
    let file = if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_string()
    };
    binary.with_file_name(file)
}
