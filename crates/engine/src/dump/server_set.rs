//! A whole server's databases dumped by one shell script per group: in one `postgres:<major>`
//! container for many databases (a container start costs about half a second each), or with
//! the local tools. Each database goes through the single backup's lifecycle inside the script:
//! pg_dump into `<file>.partial`, `pg_restore --list` on it, then the rename; what happened is
//! left beside the files (`.dbm-status-<group>`: "position exit-code" per line, and each part's
//! stderr in `.dbm-<position>.log`) for the caller to read. Database names reach the tools only
//! through the environment (`PGDATABASE`, a quoted conninfo for pg_dumpall): never a shell word.

use std::path::Path;
use std::process::Stdio;

use bollard::container::LogOutput;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::docker_dump::{connected_spec, owner_of};
use super::invocation::{clear_libpq_env, libpq_env, root_certificate, Exit};
use super::runner::Runner;
use super::sink::Tail;
use crate::docker;
use crate::model::{Code, Problem};
use crate::pg::conninfo::dbname_conninfo;
use crate::pg::ConnectTarget;

/// The globals file, and what its run leaves beside it.
pub const GLOBALS_FILE: &str = "globals.sql";
pub const GLOBALS_LOG: &str = ".dbm-globals.log";
/// "yes" when the globals hold the roles' passwords, "no" when they could not be read.
pub const GLOBALS_PASSWORDS: &str = ".dbm-globals-passwords";

/// The script. `eval` only ever expands variable names the script builds itself (`DBM_DB_3`):
/// the values are assigned, never parsed.
const SCRIPT: &str = r#"
set -u
out="$DBM_OUT"
if [ "$DBM_GLOBALS" = yes ]; then
  if pg_dumpall --globals-only -d "$DBM_MAINTENANCE" --file="$out/globals.sql.partial" 2> "$out/.dbm-globals.log"; then
    echo yes > "$out/.dbm-globals-passwords"
    mv "$out/globals.sql.partial" "$out/globals.sql"
  elif pg_dumpall --globals-only --no-role-passwords -d "$DBM_MAINTENANCE" --file="$out/globals.sql.partial" 2>> "$out/.dbm-globals.log"; then
    echo no > "$out/.dbm-globals-passwords"
    mv "$out/globals.sql.partial" "$out/globals.sql"
  else
    rm -f "$out/globals.sql.partial"
  fi
fi
i=1
while [ "$i" -le "$DBM_COUNT" ]; do
  eval "pos=\$DBM_POS_$i; db=\$DBM_DB_$i; file=\$DBM_FILE_$i"
  PGDATABASE="$db" pg_dump --format=custom --file="$out/$file.partial" 2> "$out/.dbm-$pos.log"
  code=$?
  if [ "$code" -eq 0 ]; then
    pg_restore --list "$out/$file.partial" > /dev/null 2>> "$out/.dbm-$pos.log" || code=90
  fi
  if [ "$code" -eq 0 ]; then
    mv "$out/$file.partial" "$out/$file"
  else
    rm -f "$out/$file.partial"
  fi
  echo "$pos $code" >> "$out/.dbm-status-$DBM_GROUP"
  i=$((i + 1))
done
"#;

/// One database to dump: its place in the set, its name, and its file in the set's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartJob {
    pub position: u32,
    pub database: String,
    pub file_name: String,
}

/// One script's work: the globals (one group does them) and some databases, into `folder`.
pub struct Group {
    pub number: u32,
    pub globals: bool,
    pub parts: Vec<PartJob>,
}

/// Runs one group's script against `target` (its maintenance database), writing into
/// `folder`; answers how the script ended (each part's own outcome is in the files it left).
pub async fn dump_group(
    runner: &Runner,
    target: &ConnectTarget,
    folder: &Path,
    group: &Group,
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let env = script_env(folder, target, group);
    match runner {
        Runner::Docker { docker, image, .. } => {
            in_container(docker, image, target, folder, env, cancel).await
        }
        Runner::Local { pg_dump, .. } => locally(pg_dump, target, env, cancel).await,
    }
}

fn script_env(folder: &Path, target: &ConnectTarget, group: &Group) -> Vec<(String, String)> {
    let mut env = vec![
        ("DBM_OUT".to_string(), folder.display().to_string()),
        ("DBM_GROUP".to_string(), group.number.to_string()),
        (
            "DBM_GLOBALS".to_string(),
            if group.globals { "yes" } else { "no" }.to_string(),
        ),
        (
            "DBM_MAINTENANCE".to_string(),
            dbname_conninfo(&target.database),
        ),
        ("DBM_COUNT".to_string(), group.parts.len().to_string()),
    ];
    for (index, part) in group.parts.iter().enumerate() {
        let n = index + 1;
        env.push((format!("DBM_POS_{n}"), part.position.to_string()));
        env.push((format!("DBM_DB_{n}"), part.database.clone()));
        env.push((format!("DBM_FILE_{n}"), part.file_name.clone()));
    }
    env
}

/// In the runner's image, the set's folder mounted writable at its own path, as its owner.
async fn in_container(
    docker: &bollard::Docker,
    image: &str,
    target: &ConnectTarget,
    folder: &Path,
    env: Vec<(String, String)>,
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let args = vec!["-c".to_string(), SCRIPT.to_string()];
    let mut spec = connected_spec(image, "sh", &args, target);
    spec.binds
        .push(docker::Bind::writable(folder, folder.display().to_string()));
    spec.user = owner_of(folder);
    spec.env
        .extend(env.into_iter().map(|(key, value)| format!("{key}={value}")));
    let mut attached = docker::start(docker, &spec).await?;
    let mut stderr = Tail::default();
    let mut exit = Exit::default();
    loop {
        let frame = tokio::select! {
            frame = attached.output.next() => frame,
            _ = cancel.cancelled() => {
                exit.cancelled = true;
                break;
            }
        };
        match frame {
            None => break,
            Some(Ok(LogOutput::StdErr { message } | LogOutput::StdOut { message })) => {
                stderr.push(&message)
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                attached.remove().await;
                return Err(Problem::new(
                    Code::DockerStreamFailed,
                    format!("The output of the dumps in {image} broke off: {error}."),
                    "Check that the Docker daemon is still running, then try again.",
                ));
            }
        }
    }
    if !exit.cancelled {
        exit.exit_code = attached.exit_code().await?;
    }
    // Stops a dump still running (cancel) and removes the container, whose environment holds
    // the password.
    attached.remove().await;
    exit.stderr = stderr.text();
    Ok(exit)
}

/// With the local tools beside the chosen pg_dump, first on PATH.
async fn locally(
    pg_dump: &Path,
    target: &ConnectTarget,
    env: Vec<(String, String)>,
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let bin = pg_dump.parent().map(Path::to_path_buf).unwrap_or_default();
    let path = match std::env::var_os("PATH") {
        Some(path) => {
            let mut all = vec![bin];
            all.extend(std::env::split_paths(&path));
            std::env::join_paths(all).unwrap_or(path)
        }
        None => bin.into_os_string(),
    };
    let root_cert = root_certificate(target.sslmode).map(|p| p.display().to_string());
    let mut command = tokio::process::Command::new("sh");
    clear_libpq_env(&mut command);
    command
        .arg("-c")
        .arg(SCRIPT)
        .env("PATH", path)
        .envs(libpq_env(target, &target.host, root_cert.as_deref()))
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().map_err(|e| {
        Problem::new(
            Code::PgDumpNotRunnable,
            format!("The dumps could not be started with sh: {e}."),
            "Check that /bin/sh exists, or use Docker.",
        )
    })?;
    let mut exit = Exit::default();
    tokio::select! {
        status = child.wait() => {
            exit.exit_code = status.map_err(|e| Problem::new(
                Code::PgDumpWaitFailed,
                format!("The dumps could not be waited for: {e}."),
                "Try again.",
            ))?.code().map_or(-1, i64::from);
        }
        _ = cancel.cancelled() => {
            exit.cancelled = true;
            let _ = child.kill().await;
        }
    }
    if let Some(mut stderr) = child.stderr.take() {
        use tokio::io::AsyncReadExt;
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text).await;
        let mut tail = Tail::default();
        tail.push(&text);
        exit.stderr = tail.text();
    }
    Ok(exit)
}
