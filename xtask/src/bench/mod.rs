//! `cargo xtask bench`: how fast and how lean a backup is, against pg_dump alone.
//!
//! Outside the test session it brings the test environment up, builds `dbm` in release and runs
//! itself again inside `scripts/testenv/session.sh` (the saved password needs an unlocked
//! keyring); inside, it makes sure the data set exists, measures every variant and prints the
//! table. `dataset` owns the `dbm_bench` database, `variants` runs one measured backup of each
//! kind, `report` turns the samples into the table and the targets.

mod dataset;
mod report;
mod sets;
mod storage;
mod variants;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{cargo, root, sh, step};
use dataset::Server;
use variants::{Outcome, Variant};

const USAGE: &str =
    "usage: cargo xtask bench [--rows N] [--reps N] [--local15] | --drop | library | sets | storage
  library    page the backup list: 100,000 records, a page of 50 per filter (target ≤ 10 ms)
  sets       a server of 50 small databases as one set, against bare pg_dumps (target ≤ 1.3 ×)
  storage    a big backup copied to the loopback S3 server, against a plain upload by the same
             library (target ≤ 1.1 ×), encrypted against not (≤ 1.1 ×), peak RSS (≤ idle + 32 MB)
  --rows N   rows in the dbm_bench table (default 7000000, about 890 MB); made once, then reused
  --reps N   repetitions of every variant (default 3); the table shows medians
  --local15  also bench server 15, where the host's pg_dump 15 lets dbm's local runner run
             (a second dbm_bench of the same size on server 15)
  --drop     remove the dbm_bench databases (servers 17 and 15) and stop";

/// The server the bench is about (its image has the pg_dump with zstd).
const MAIN_MAJOR: u32 = 17;
/// The server `--local15` adds: the host's own pg_dump (Debian 12: 15) can dump it.
const LOCAL_MAJOR: u32 = 15;

/// Set on the second invocation, the one inside the session.
const IN_SESSION: &str = "--in-session";
/// The release `dbm`, handed from the outer invocation to the inner one.
const DBM_BIN_ENV: &str = "DBM_BENCH_BIN";

#[derive(Debug, Clone)]
struct Options {
    rows: u64,
    reps: usize,
    local15: bool,
    drop: bool,
    in_session: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            rows: 7_000_000,
            reps: 3,
            local15: false,
            drop: false,
            in_session: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<u64, String> {
                args.next()
                    .and_then(|v| v.replace('_', "").parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{name} needs a positive number\n{USAGE}"))
            };
            match arg.as_str() {
                "--rows" => options.rows = number("--rows")?,
                "--reps" => options.reps = number("--reps")? as usize,
                "--local15" => options.local15 = true,
                "--drop" => options.drop = true,
                IN_SESSION => options.in_session = true,
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
        }
        Ok(options)
    }

    /// The arguments that reproduce these options on the inner invocation.
    fn to_args(&self) -> Vec<String> {
        let mut args = vec![
            "--rows".into(),
            self.rows.to_string(),
            "--reps".into(),
            self.reps.to_string(),
        ];
        if self.local15 {
            args.push("--local15".into());
        }
        args
    }

    /// The servers to bench, the main one first.
    fn servers(&self) -> Vec<Server> {
        let mut servers = vec![Server::from_env(MAIN_MAJOR)];
        if self.local15 {
            servers.push(Server::from_env(LOCAL_MAJOR));
        }
        servers
    }
}

pub fn bench(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("sets") {
        return sets::bench(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("storage") {
        return storage::bench(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("library") {
        // The engine alone, in-process: no servers, no session.
        return step(
            "bench the backup list",
            cargo().args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "dbm-engine",
                "--example",
                "library_bench",
            ]),
        );
    }
    let options = Options::parse(args)?;
    if options.in_session {
        return measure(&options);
    }
    let started = Instant::now();
    step(
        "start the test environment",
        &mut sh("scripts/testenv/up.sh"),
    )?;
    if options.drop {
        return [MAIN_MAJOR, LOCAL_MAJOR]
            .into_iter()
            .try_for_each(|major| dataset::drop(&Server::from_env(major)));
    }
    ensure_gnu_time()?;
    step(
        "build dbm (release)",
        cargo().args(["build", "--release", "-p", "dbm-cli"]),
    )?;
    let dbm = target_dir().join("release/dbm");
    let xtask = std::env::current_exe().map_err(|e| format!("where is xtask itself? {e}"))?;
    let result = step(
        "benchmark (inside scripts/testenv/session.sh)",
        sh("scripts/testenv/session.sh")
            .arg(xtask)
            .args(["bench", IN_SESSION])
            .args(options.to_args())
            .env(DBM_BIN_ENV, &dbm),
    );
    eprintln!(
        "the whole bench took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    result
}

pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// Peak RSS comes from GNU time (`%M`), which Debian ships in its own package.
fn ensure_gnu_time() -> Result<(), String> {
    if Path::new(variants::GNU_TIME).exists() {
        return Ok(());
    }
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut install = Command::new(if root_user { "apt-get" } else { "sudo" });
    if !root_user {
        install.arg("apt-get");
    }
    install
        .args(["install", "-y", "--no-install-recommends", "time"])
        .env("DEBIAN_FRONTEND", "noninteractive");
    step("install GNU time (for peak RSS)", &mut install)
}

/// Inside the session: the data set, the runs, the table.
fn measure(options: &Options) -> Result<(), String> {
    let dbm = std::env::var_os(DBM_BIN_ENV)
        .map(PathBuf::from)
        .ok_or_else(|| format!("{DBM_BIN_ENV} is not set: run `cargo xtask bench`"))?;
    let servers = options.servers();
    let data = servers
        .iter()
        .map(|server| dataset::ensure(server, options.rows))
        .collect::<Result<Vec<_>, _>>()?;

    // Everything temporary lives in the session's dir when there is one, so that even a killed
    // bench leaves nothing behind (session.sh removes that dir on exit).
    let parent = std::env::var_os("DBM_TEST_SESSION_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let work = TempDir::create(&parent.join(format!("dbm-bench.{}", std::process::id())))?;
    let bench = variants::Bench::prepare(&dbm, work.path(), &servers)?;

    let list = variants::all(&bench);
    let measured: Vec<&Variant> = list.iter().filter(|v| v.skipped.is_none()).collect();
    // One unmeasured pass of each floor brings the table into the page cache.
    for floor in measured.iter().filter(|v| v.is_floor()) {
        eprintln!("==> warm-up (not measured): {}", floor.label);
        bench.run(floor)?;
    }

    let load_before = report::load_average();
    let mut outcomes: Vec<Vec<Outcome>> = vec![Vec::new(); list.len()];
    for rep in 0..options.reps {
        // Each repetition runs every variant once, starting one further along each time, so
        // that drift and cache effects fall on all of them alike.
        for k in 0..measured.len() {
            let variant = measured[(rep + k) % measured.len()];
            let outcome = bench.run(variant);
            match &outcome {
                Ok(sample) => eprintln!(
                    "    rep {}/{}  {:<46} {:>6.1} s",
                    rep + 1,
                    options.reps,
                    variant.label,
                    sample.wall
                ),
                Err(error) => eprintln!(
                    "    rep {}/{}  {:<46} FAILED: {error}",
                    rep + 1,
                    options.reps,
                    variant.label
                ),
            }
            let index = list.iter().position(|v| std::ptr::eq(v, variant));
            outcomes[index.unwrap_or(0)].push(outcome);
        }
    }
    let idle = bench.idle_rss()?;
    let failed = report::print(&report::Input {
        data: &data,
        image: &servers[0].image,
        reps: options.reps,
        variants: &list,
        outcomes: &outcomes,
        idle: &idle,
        load_before: &load_before,
    });
    if failed {
        Err("some runs failed (see above)".into())
    } else {
        Ok(())
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn create(path: &Path) -> Result<TempDir, String> {
        std::fs::create_dir_all(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(TempDir(path.to_path_buf()))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
