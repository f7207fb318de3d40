//! Running `dbm` against the real test environment (scripts/testenv; session.sh exports it).
#![allow(dead_code)] // each test binary uses a part

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The port scripts/testenv/up.sh gave server `major`.
pub fn port(major: u32) -> String {
    std::env::var(format!("DBM_PG{major}_PORT")).unwrap_or_else(|_| (54300 + major).to_string())
}

pub fn pg_password() -> String {
    std::env::var("DBM_PG_PASSWORD").unwrap_or_else(|_| "postgres".into())
}

/// `dbm` with its state in `data_dir`, ready to configure.
pub fn dbm_command(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dbm"));
    command.env("DBM_DATA_DIR", data_dir);
    command
}

/// Runs dbm with `stdin` piped in and debug logging on (so logs are searched too).
pub fn run_dbm(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    run_dbm_with(dbm_command(data_dir), args, stdin)
}

/// `run_dbm` from a given working folder (the data dir may then be relative to it).
pub fn run_dbm_in(cwd: &Path, data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = dbm_command(data_dir);
    command.current_dir(cwd);
    run_dbm_with(command, args, stdin)
}

fn run_dbm_with(mut command: Command, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = command
        .args(args)
        .env("DBM_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// stdout and stderr together.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `dbm connection add --json` for `database` on server `major`, the password on stdin.
pub fn add_connection(
    data_dir: &Path,
    name: &str,
    major: u32,
    database: &str,
    password: &str,
) -> Output {
    run_dbm(
        data_dir,
        &[
            "connection",
            "add",
            "--name",
            name,
            "--host",
            "127.0.0.1",
            "--port",
            &port(major),
            "--database",
            database,
            "--user",
            "postgres",
            "--password-stdin",
            "--json",
        ],
        Some(&format!("{password}\n")),
    )
}

/// psql (the host's client) as the superuser.
pub fn psql(major: u32, database: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port(major),
            "-U",
            "postgres",
            "-d",
            database,
            "-Atq",
            "-c",
            sql,
        ])
        .env("PGPASSWORD", pg_password())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

pub fn partials(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.to_string_lossy().ends_with(".partial") {
            found.push(path.clone());
        }
        if path.is_dir() {
            found.extend(partials(&path));
        }
    }
    found
}

/// A psql session holding `ACCESS EXCLUSIVE` on table `t` of `database` (pg_dump waits on it)
/// until released or dropped.
pub struct TableLock {
    child: std::process::Child,
    input: Option<std::process::ChildStdin>,
}

impl TableLock {
    pub fn hold(major: u32, database: &str) -> TableLock {
        let mut child = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port(major),
                "-U",
                "postgres",
                "-d",
                database,
                "-q",
            ])
            .env("PGPASSWORD", pg_password())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input
            .write_all(b"BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;\n")
            .unwrap();
        input.flush().unwrap();
        TableLock {
            child,
            input: Some(input),
        }
    }

    /// Ends the session (and its transaction), releasing the lock (as dropping it does).
    pub fn release(self) {}
}

impl Drop for TableLock {
    fn drop(&mut self) {
        self.input.take();
        let _ = self.child.wait();
    }
}
