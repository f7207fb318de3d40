//! `cargo xtask bench sets`: a whole server of many small databases (Chinook each) backed up as
//! one set by `dbm`, against the floor: the sum of bare `pg_dump -Fc` runs of each database
//! inside one container (what the set does at least), and against one container per database
//! (what reusing a container saves). Target: the set ≤ 1.3 × the floor.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::dataset::Server;
use crate::{root, sh, step};

const USAGE: &str = "usage: cargo xtask bench sets [--databases N] [--reps N]
  --databases N  small databases on server 17 (default 50), each a copy of Chinook
  --reps N       repetitions (default 3); the table shows medians";

const MAJOR: u32 = 17;
const PREFIX: &str = "dbm_bench_set_";
const TEMPLATE: &str = "dbm_bench_set_template";
const TARGET_RATIO: f64 = 1.3;
const IN_SESSION: &str = "--in-session";

struct Options {
    databases: usize,
    reps: usize,
    in_session: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        databases: 50,
        reps: 3,
        in_session: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number\n{USAGE}"))
        };
        match arg.as_str() {
            "--databases" => options.databases = number("--databases")?,
            "--reps" => options.reps = number("--reps")?,
            IN_SESSION => options.in_session = true,
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

/// Outside the session: the environment, a release `dbm`, then this again inside the session.
pub fn bench(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    if options.in_session {
        return measure(&options);
    }
    step(
        "start the test environment",
        &mut sh("scripts/testenv/up.sh"),
    )?;
    step(
        "build dbm (release)",
        crate::cargo().args(["build", "--release", "-p", "dbm-cli"]),
    )?;
    let xtask = std::env::current_exe().map_err(|e| format!("where is xtask itself? {e}"))?;
    step(
        "benchmark sets (inside scripts/testenv/session.sh)",
        sh("scripts/testenv/session.sh")
            .arg(xtask)
            .args(["bench", "sets", IN_SESSION])
            .args(["--databases", &options.databases.to_string()])
            .args(["--reps", &options.reps.to_string()])
            .env("DBM_BENCH_BIN", super::target_dir().join("release/dbm")),
    )
}

fn psql(server: &Server, database: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .args(["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", &server.host])
        .args([
            "-p",
            &server.port.to_string(),
            "-U",
            &server.user,
            "-d",
            database,
        ])
        .args(["-c", sql])
        .env("PGPASSWORD", &server.password)
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn drop_databases(server: &Server) -> Result<(), String> {
    let listed = psql(
        server,
        "postgres",
        &format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'"),
    )?;
    for old in listed.lines() {
        psql(
            server,
            "postgres",
            &format!("DROP DATABASE \"{old}\" WITH (FORCE)"),
        )?;
    }
    Ok(())
}

/// The databases, made from a Chinook template (and dropped after the bench).
fn ensure_databases(server: &Server, count: usize) -> Result<Vec<String>, String> {
    let names: Vec<String> = (1..=count).map(|n| format!("{PREFIX}{n:03}")).collect();
    let existing = psql(
        server,
        "postgres",
        &format!("SELECT count(*) FROM pg_database WHERE datname LIKE '{PREFIX}%' AND datname <> '{TEMPLATE}'"),
    )?;
    if existing == count.to_string() {
        return Ok(names);
    }
    eprintln!("==> making {count} Chinook databases on server {MAJOR}");
    let listed = psql(
        server,
        "postgres",
        &format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'"),
    )?;
    for old in listed.lines() {
        psql(
            server,
            "postgres",
            &format!("DROP DATABASE \"{old}\" WITH (FORCE)"),
        )?;
    }
    psql(server, "postgres", &format!("CREATE DATABASE {TEMPLATE}"))?;
    let script = std::fs::read_to_string(root().join("testdata/chinook/chinook.sql"))
        .map_err(|e| format!("testdata/chinook/chinook.sql: {e}"))?;
    let body = script
        .split_once("\\c chinook;")
        .map(|(_, rest)| rest.to_string())
        .ok_or("the Chinook script's \\c line is missing")?;
    let loaded = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", &server.host])
        .args([
            "-p",
            &server.port.to_string(),
            "-U",
            &server.user,
            "-d",
            TEMPLATE,
        ])
        .env("PGPASSWORD", &server.password)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(stdin) = child.stdin.as_mut() {
                stdin.write_all(body.as_bytes())?;
            }
            drop(child.stdin.take());
            child.wait()
        })
        .map_err(|e| format!("loading Chinook: {e}"))?;
    if !loaded.success() {
        return Err("loading Chinook into the template failed".into());
    }
    for name in &names {
        psql(
            server,
            "postgres",
            &format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}"),
        )?;
    }
    Ok(names)
}

/// A bare pg_dump of each database, in one container (`one = true`) or one container each.
fn floor(server: &Server, names: &[String], out: &Path, one: bool) -> Result<f64, String> {
    let dump = |db: &str| {
        format!(
            "pg_dump -h {} -p {} -U {} -Fc --file=/out/{db}.dump {db}",
            server.host, server.port, server.user
        )
    };
    let run = |script: String| -> Result<(), String> {
        let status = Command::new("docker")
            .args(["run", "--rm", "--network", "host", "--log-driver", "none"])
            .args(["-e", "PGPASSWORD", "-v", &format!("{}:/out", out.display())])
            .args([&server.image, "sh", "-c", &script])
            .env("PGPASSWORD", &server.password)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("docker: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("pg_dump in {} failed", server.image))
        }
    };
    let started = Instant::now();
    if one {
        let script: Vec<String> = names.iter().map(|db| dump(db)).collect();
        run(script.join(" && "))?;
    } else {
        for db in names {
            run(dump(db))?;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// `dbm backup run` of the whole-server connection; answers its wall time.
fn set_run(dbm: &Path, data: &Path) -> Result<f64, String> {
    let started = Instant::now();
    let output = Command::new(dbm)
        .args([
            "--data-dir",
            &data.display().to_string(),
            "backup",
            "run",
            "server",
            "--json",
        ])
        .output()
        .map_err(|e| format!("dbm: {e}"))?;
    let wall = started.elapsed().as_secs_f64();
    let set: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "dbm's answer: {e}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    if set["status"] != "completed" {
        return Err(format!("the set did not complete: {}", set["errorMessage"]));
    }
    Ok(wall)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn measure(options: &Options) -> Result<(), String> {
    let dbm = std::env::var_os("DBM_BENCH_BIN")
        .map(PathBuf::from)
        .ok_or("DBM_BENCH_BIN is not set: run `cargo xtask bench sets`")?;
    let server = Server::from_env(MAJOR);
    let names = ensure_databases(&server, options.databases)?;
    let parent = std::env::var_os("DBM_TEST_SESSION_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let work = parent.join(format!("dbm-bench-sets.{}", std::process::id()));
    let (data, out) = (work.join("data"), work.join("floor"));
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let added = Command::new(&dbm)
        .args([
            "--data-dir",
            &data.display().to_string(),
            "connection",
            "add",
            "--name",
            "server",
        ])
        .args([
            "--host",
            &server.host,
            "--port",
            &server.port.to_string(),
            "--user",
            &server.user,
        ])
        .args([
            "--all-databases",
            "--include",
            &format!("{PREFIX}[0-9]*"),
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(stdin) = child.stdin.as_mut() {
                writeln!(stdin, "{}", server.password)?;
            }
            drop(child.stdin.take());
            child.wait()
        })
        .map_err(|e| format!("dbm connection add: {e}"))?;
    if !added.success() {
        return Err("dbm connection add failed".into());
    }
    // One unmeasured pass brings the databases into the page cache.
    floor(&server, &names, &out, true)?;
    let (mut sets, mut ones, mut eaches) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 1..=options.reps {
        let set = set_run(&dbm, &data)?;
        let one = floor(&server, &names, &out, true)?;
        let each = floor(&server, &names, &out, false)?;
        eprintln!("    rep {rep}/{}  set {set:.1} s  one container {one:.1} s  a container each {each:.1} s", options.reps);
        sets.push(set);
        ones.push(one);
        eaches.push(each);
    }
    let _ = std::fs::remove_dir_all(&work);
    // The databases go again: tests that look at the whole of server 17 should not meet them.
    drop_databases(&server)?;
    let (set, one, each) = (median(sets), median(ones), median(eaches));
    let ratio = set / one;
    println!();
    println!(
        "| {} databases (Chinook each), server {MAJOR} | median wall | × floor | target |",
        names.len()
    );
    println!("|---|---:|---:|---:|");
    println!("| bare pg_dump of each, one container (floor) | {one:.1} s | 1.00 | |");
    println!(
        "| bare pg_dump of each, a container each | {each:.1} s | {:.2} | |",
        each / one
    );
    println!(
        "| dbm backup run (a set: parts, globals, manifest) | {set:.1} s | {ratio:.2} | ≤ {TARGET_RATIO} {} |",
        if ratio <= TARGET_RATIO { "met" } else { "MISSED" }
    );
    println!();
    println!(
        "Reusing a container saves {:.1} s over a container per database ({:.2} s each).",
        each - one,
        (each - one) / names.len() as f64
    );
    Ok(())
}
