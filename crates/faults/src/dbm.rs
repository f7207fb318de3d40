//! A data dir of the campaign and the real `dbm` (and app) processes that use it. Every output
//! is kept in the campaign's log folder, where the secrets search reads it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::{fail, server, Result};

static CALLS: AtomicUsize = AtomicUsize::new(0);

/// One data dir with its backup root and connections to the campaign's server.
pub struct DataDir {
    pub dir: PathBuf,
    pub root: PathBuf,
    pub logs: PathBuf,
    pub dbm: PathBuf,
    /// `DOCKER_HOST` for every process of this data dir (a private daemon's), if any.
    pub docker_host: Option<String>,
}

/// The name of the connection to the big database, and to a tiny one (the "restart" run).
pub const BIG: &str = "big";
pub const TINY: &str = "tiny";

impl DataDir {
    pub fn new(base: &Path, name: &str, dbm: &Path, password: &str) -> Result<DataDir> {
        let dir = base.join(name);
        let data = DataDir {
            root: dir.join("backups"),
            logs: base.join("logs"),
            dir,
            dbm: dbm.to_path_buf(),
            docker_host: None,
        };
        std::fs::create_dir_all(&data.logs).map_err(|e| fail(e.to_string()))?;
        for (name, database) in [(BIG, server::DATABASE), (TINY, "postgres")] {
            let uri = format!(
                "postgresql://{}:{}@127.0.0.1:{}/{database}?sslmode=disable",
                server::ROLE,
                percent(password),
                server::PORT
            );
            data.ok(
                &["connection", "add", "--uri-stdin", "--name", name, "--json"],
                Some(&uri),
            )?;
        }
        Ok(data)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.dbm);
        command
            .env("DBM_DATA_DIR", &self.dir)
            .env("DBM_LOG", "info")
            .args(args);
        if let Some(host) = &self.docker_host {
            command.env("DOCKER_HOST", host);
        }
        command
    }

    /// Runs dbm to the end; its output is logged. A dbm that cannot be started or waited for
    /// answers as a failed call (exit 127), its reason on stderr.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let output = self.try_run(args, stdin).unwrap_or_else(|error| Output {
            status: std::os::unix::process::ExitStatusExt::from_raw(127 << 8),
            stdout: Vec::new(),
            stderr: format!("dbm could not be run: {error}").into_bytes(),
        });
        self.log(args, &output);
        output
    }

    fn try_run(&self, args: &[&str], stdin: Option<&str>) -> std::io::Result<Output> {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut input) = child.stdin.take() {
            if let Some(text) = stdin {
                // A dbm that stops reading early (a refused input) is answered by its exit.
                let _ = input.write_all(text.as_bytes());
            }
        }
        child.wait_with_output()
    }

    /// Runs dbm, which must succeed; its JSON.
    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> Result<Value> {
        let output = self.run(args, stdin);
        if !output.status.success() {
            return Err(fail(format!(
                "dbm {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(serde_json::from_slice(&output.stdout).unwrap_or(Value::Null))
    }

    /// Starts dbm in the background (the victim of an injection); its output goes to a log.
    pub fn spawn(&self, args: &[&str]) -> Result<Child> {
        let n = CALLS.fetch_add(1, Ordering::Relaxed);
        let log = std::fs::File::create(self.logs.join(format!("spawn-{n}.log")))
            .map_err(|e| fail(format!("a log for dbm {}: {e}", args.join(" "))))?;
        let err = log.try_clone().map_err(|e| fail(e.to_string()))?;
        self.command(args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| fail(format!("dbm {}: {e}", args.join(" "))))
    }

    fn log(&self, args: &[&str], output: &Output) {
        let n = CALLS.fetch_add(1, Ordering::Relaxed);
        let mut text = format!(
            "$ dbm {}\nexit: {:?}\n",
            args.join(" "),
            output.status.code()
        );
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        let _ = std::fs::write(self.logs.join(format!("call-{n}.log")), text);
    }

    /// Every backup record, newest first.
    pub fn backups(&self) -> Vec<Value> {
        self.ok(&["backup", "list", "--limit", "100000", "--json"], None)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    }

    /// The next start of a dbm that runs backups: recovery, then a small backup.
    pub fn restart(&self) -> Output {
        self.run(&["backup", "run", TINY, "--json"], None)
    }
}

/// A URI's userinfo, percent-encoded.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
