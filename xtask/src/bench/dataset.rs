//! The `dbm_bench` database on a test server (17; 15 too with `--local15`): made once, reused
//! while its row count is the one asked for, removed only with `--drop`.

use std::process::Command;
use std::time::Instant;

pub const DATABASE: &str = "dbm_bench";

/// The server the bench dumps, from the test environment's variables (`$DBM_TESTENV_DIR/env`,
/// exported inside the session), with the documented defaults.
#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub major: u32,
    pub user: String,
    pub password: String,
    /// `postgres:17`: the image whose pg_dump matches the server.
    pub image: String,
}

impl Server {
    pub fn from_env(major: u32) -> Server {
        let var = |key: &str, default: &str| std::env::var(key).unwrap_or_else(|_| default.into());
        let default_port = 54300 + major as u16;
        Server {
            host: var("DBM_PG_HOST", "127.0.0.1"),
            port: var(&format!("DBM_PG{major}_PORT"), &default_port.to_string())
                .parse()
                .unwrap_or(default_port),
            major,
            user: var("DBM_PG_USER", "postgres"),
            password: var("DBM_PG_PASSWORD", "postgres"),
            image: format!("{}:{major}", var("DBM_PG_IMAGE_REPO", "postgres")),
        }
    }
}

/// What the bench dumps.
#[derive(Debug, Clone)]
pub struct DataSet {
    pub major: u32,
    pub port: u16,
    pub rows: u64,
    pub bytes: u64,
    pub server_version: String,
}

/// Runs SQL with the host's psql (the test environment installs it); returns its output.
fn psql(server: &Server, database: &str, commands: &[&str]) -> Result<String, String> {
    let mut command = Command::new("psql");
    command
        .args(["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", &server.host])
        .args([
            "-p",
            &server.port.to_string(),
            "-U",
            &server.user,
            "-d",
            database,
        ])
        .env("PGPASSWORD", &server.password);
    for sql in commands {
        command.args(["-c", sql]);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!(
            "psql on port {} ({}): {}",
            server.port,
            commands.join("; "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn exists(server: &Server) -> Result<bool, String> {
    let found = psql(
        server,
        "postgres",
        &[&format!(
            "SELECT count(*) FROM pg_database WHERE datname = '{DATABASE}'"
        )],
    )?;
    Ok(found == "1")
}

/// Makes sure `dbm_bench` holds a table `t` of exactly `rows` rows, frozen and analysed (so no
/// dump pays for setting hint bits), and returns what it holds.
pub fn ensure(server: &Server, rows: u64) -> Result<DataSet, String> {
    if !exists(server)? {
        psql(
            server,
            "postgres",
            &[&format!("CREATE DATABASE {DATABASE}")],
        )?;
    }
    let has_table = psql(
        server,
        DATABASE,
        &["SELECT to_regclass('public.t') IS NOT NULL"],
    )? == "t";
    let present: Option<u64> = if has_table {
        psql(server, DATABASE, &["SELECT count(*) FROM t"])?
            .parse()
            .ok()
    } else {
        None
    };
    if present == Some(rows) {
        eprintln!(
            "==> data set: {DATABASE} on port {} already has {rows} rows (kept from an earlier run)",
            server.port
        );
    } else {
        let started = Instant::now();
        eprintln!(
            "==> data set: creating {DATABASE}.t with {rows} rows on port {} (once; kept for later runs)",
            server.port
        );
        psql(
            server,
            DATABASE,
            &[
                "DROP TABLE IF EXISTS t",
                &format!(
                    "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS a, md5((g * 2)::text) AS b, \
                     now() - g * interval '1 second' AS ts FROM generate_series(1, {rows}) g"
                ),
                "VACUUM (FREEZE, ANALYZE) t",
                "CHECKPOINT",
            ],
        )?;
        eprintln!(
            "<== data set created in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let bytes = psql(
        server,
        DATABASE,
        &[&format!("SELECT pg_database_size('{DATABASE}')")],
    )?
    .parse()
    .map_err(|e| format!("database size: {e}"))?;
    let server_version = psql(server, DATABASE, &["SHOW server_version"])?;
    Ok(DataSet {
        major: server.major,
        port: server.port,
        rows,
        bytes,
        server_version,
    })
}

pub fn drop(server: &Server) -> Result<(), String> {
    if exists(server)? {
        psql(
            server,
            "postgres",
            &[&format!("DROP DATABASE {DATABASE} WITH (FORCE)")],
        )?;
        eprintln!("dropped the {DATABASE} database on port {}", server.port);
    } else {
        eprintln!(
            "no {DATABASE} database on port {}: nothing to drop",
            server.port
        );
    }
    Ok(())
}
