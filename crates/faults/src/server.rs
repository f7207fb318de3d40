//! The campaign's own PostgreSQL 17 (never the shared test servers: it is restarted and its
//! sessions are terminated), with a ~200 MB database kept between runs and a password no other
//! part of the test environment uses.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{fail, Result};

pub const MAJOR: u32 = 17;
pub const PORT: u16 = 54397;
pub const DATABASE: &str = "faults";
/// Rows of `t`: about 200 MB on disk.
const ROWS: u64 = 1_700_000;
/// The role the campaign's connections use; its password is the campaign's secret.
pub const ROLE: &str = "faults_user";

pub struct Server {
    bin: PathBuf,
    data: PathBuf,
    log: PathBuf,
    sockets: PathBuf,
}

fn testenv() -> PathBuf {
    std::env::var_os("DBM_TESTENV_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/dbm-testenv"))
}

/// The server binaries the test environment unpacked for `MAJOR`.
fn binaries() -> Result<PathBuf> {
    let srv = testenv().join("pg/srv");
    let entries = std::fs::read_dir(&srv).map_err(|e| fail(format!("{}: {e}", srv.display())))?;
    entries
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{MAJOR}.")))
        })
        .map(|p| p.join("bin"))
        .ok_or_else(|| {
            fail(format!(
                "no PostgreSQL {MAJOR} binaries under {}",
                srv.display()
            ))
        })
}

/// Runs a command as the servers' user (initdb refuses root).
fn as_owner(program: &Path) -> Command {
    let mut command = Command::new("runuser");
    command.args(["-u", "pgtest", "--"]).arg(program);
    command
}

fn run(mut command: Command, what: &str) -> Result<String> {
    let output = command.output().map_err(|e| fail(format!("{what}: {e}")))?;
    if !output.status.success() {
        return Err(fail(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

impl Server {
    /// Starts the server (made once), the role with `password`, and the data set.
    pub fn start(password: &str) -> Result<Server> {
        let home = testenv().join("faults");
        let server = Server {
            bin: binaries()?,
            data: home.join("pgdata"),
            log: home.join("pg.log"),
            sockets: home.join("run"),
        };
        for dir in [&home, &server.sockets] {
            std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
        }
        run(
            {
                let mut c = Command::new("chown");
                c.arg("pgtest").arg(&home).arg(&server.sockets);
                c
            },
            "chown",
        )?;
        if !server.data.join("PG_VERSION").exists() {
            let mut initdb = as_owner(&server.bin.join("initdb"));
            initdb
                .arg("-D")
                .arg(&server.data)
                .args(["-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"])
                .args(["--auth-local=trust", "--auth-host=scram-sha-256"]);
            run(initdb, "initdb")?;
        }
        let socket = server.sockets.join(format!(".s.PGSQL.{PORT}"));
        if !server.running() {
            server.pg_ctl("start")?;
        } else if !socket.exists() {
            // Running, but its socket folder was removed under it.
            server.pg_ctl("restart")?;
        }
        server.psql("postgres", &format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN CREATE ROLE {ROLE} LOGIN SUPERUSER; END IF; END $$; \
             ALTER ROLE {ROLE} PASSWORD '{}'",
            password.replace('\'', "''")
        ))?;
        let exists = server.psql(
            "postgres",
            &format!("SELECT count(*) FROM pg_database WHERE datname = '{DATABASE}'"),
        )? == "1";
        let rows = if exists {
            server
                .psql(DATABASE, "SELECT count(*) FROM t")
                .unwrap_or_default()
        } else {
            String::new()
        };
        if rows != ROWS.to_string() {
            eprintln!("[faults] making the {DATABASE} database ({ROWS} rows, ~200 MB): once");
            server.psql("postgres", &format!("DROP DATABASE IF EXISTS {DATABASE}"))?;
            server.psql("postgres", &format!("CREATE DATABASE {DATABASE}"))?;
            server.psql(
                DATABASE,
                &format!(
                    "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b, \
                     now() AS at FROM generate_series(1, {ROWS}) g; \
                     CREATE TABLE small AS SELECT generate_series(1, 100) AS g"
                ),
            )?;
        }
        Ok(server)
    }

    fn pg_ctl(&self, action: &str) -> Result<()> {
        let mut command = as_owner(&self.bin.join("pg_ctl"));
        command
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "-m", "fast", "-o"])
            .arg(format!(
                "-p {PORT} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c synchronous_commit=off",
                self.sockets.display()
            ))
            .arg(action);
        run(command, &format!("pg_ctl {action}")).map(|_| ())
    }

    fn running(&self) -> bool {
        let mut command = as_owner(&self.bin.join("pg_ctl"));
        command.arg("-D").arg(&self.data).arg("status");
        command.output().is_ok_and(|o| o.status.success())
    }

    /// A real restart (fast shutdown: sessions are cut off).
    pub fn restart(&self) -> Result<()> {
        self.pg_ctl("restart")
    }

    /// SQL as the superuser over the socket, given on stdin (one statement sets the secret
    /// password: never in an argv); the output.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String> {
        use std::io::Write;
        let mut child = Command::new("psql")
            .args(["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.sockets)
            .args(["-p", &PORT.to_string(), "-U", "postgres", "-d", database])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("psql: {e}")))?;
        if let Some(mut input) = child.stdin.take() {
            input
                .write_all(sql.as_bytes())
                .map_err(|e| fail(format!("psql: {e}")))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|e| fail(format!("psql: {e}")))?;
        if !output.status.success() {
            return Err(fail(format!(
                "psql failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// Ends every session of the app's tools (pg_dump) on the server.
    pub fn terminate_dumps(&self) -> Result<String> {
        self.psql(
            "postgres",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE application_name LIKE 'dbm-backup-%' AND pid <> pg_backend_pid()",
        )
    }

    /// Whether pg_dump of the app is connected now.
    pub fn dump_connected(&self) -> bool {
        self.psql(
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'dbm-backup-%'",
        )
        .is_ok_and(|n| n != "0")
    }
}
