//! `dbm-faults`: the fault campaign that `cargo xtask faults` runs inside the test session.
//! It strikes real dumps of a ~200 MB database at random moments (kill -9 of the CLI, the
//! daemon and the app; a terminated backend and a restarted server of its own; the dump
//! container killed; a private Docker daemon stopped; a backup root that fills or turns
//! read-only; SQLite held locked; a frozen notification daemon; the wall clock stepped ±2 h
//! under the scheduler), restarts, and prints one table of figures that must all be zero;
//! then searches for its password everywhere it must not be and tries hostile input.
//! Exits non-zero when any figure is off.

mod audit;
mod clock;
mod dbm;
mod inputs;
mod secrets;
mod server;
mod trials;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use audit::Figures;
use dbm::{DataDir, BIG};
use trials::{Context, Kind};

pub type Result<T> = std::result::Result<T, String>;

pub fn fail(message: impl Into<String>) -> String {
    message.into()
}

/// A small, seeded generator: a run is repeated with `--seed`.
pub struct Rng(u64);

impl Rng {
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How many of each injection (`--quick` runs one of each).
const PLAN: [(Kind, usize); 10] = [
    (Kind::KillCli, 12),
    (Kind::KillDaemon, 5),
    (Kind::KillApp, 3),
    (Kind::TerminateBackend, 6),
    (Kind::ServerRestart, 4),
    (Kind::ContainerKilled, 6),
    (Kind::DockerRestart, 3),
    (Kind::DiskFull, 3),
    (Kind::ReadOnly, 3),
    (Kind::SqliteLocked, 3),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| chrono::Utc::now().timestamp_micros() as u64 | 1);
    let quick = args.iter().any(|a| a == "--quick");
    match campaign(seed, quick) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("dbm-faults: {message}");
            ExitCode::FAILURE
        }
    }
}

fn binary(name: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| fail(e.to_string()))?;
    let path = exe.with_file_name(name);
    path.is_file().then_some(path.clone()).ok_or_else(|| {
        fail(format!(
            "{} is missing (cargo xtask faults builds it)",
            path.display()
        ))
    })
}

struct Row {
    label: String,
    runs: usize,
    figures: Figures,
    restart_failed: usize,
    seconds: f64,
}

fn campaign(seed: u64, quick: bool) -> Result<bool> {
    let started = Instant::now();
    let mut rng = Rng(seed);
    println!("fault campaign, seed {seed} (repeat with --seed {seed})");
    let dbm_bin = binary("dbm")?;
    let app = binary("dbm-app")?;
    let secret = format!("pw-faults-{seed}-é🔑:@/%'\" x=y\\z");
    let server = server::Server::start(&secret)?;
    let home = std::env::var_os("DBM_TESTENV_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/dbm-testenv"))
        .join("faults");
    let base = home.join("campaign");
    cleanup(&base)?;
    std::fs::create_dir_all(&base).map_err(|e| fail(e.to_string()))?;
    let argv = secrets::ArgvWatch::start(&secret);

    let data = |name: &str| DataDir::new(&base, name, &dbm_bin, &secret);
    let main = data("main")?;
    audit::plant_foreign(&main);
    // How long a backup of the big database takes here: the window injections strike in.
    let timer = Instant::now();
    let first = main.ok(&["backup", "run", BIG, "--json"], None)?;
    let window = timer.elapsed();
    let first_id = first["id"].as_i64().unwrap_or_default();
    println!(
        "a backup of the {} database takes {:.1} s here ({} bytes)",
        server::DATABASE,
        window.as_secs_f64(),
        first["sizeBytes"]
    );
    let context = Context {
        server: &server,
        base: base.clone(),
        window,
        app: app.clone(),
    };

    let daemon = data("daemon")?;
    let app_data = data("app")?;
    for scheduled in [&daemon, &app_data] {
        scheduled.ok(
            &[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "*/3 * * * * *",
                "--name",
                "fast",
                "--keep-last",
                "3",
                "--json",
            ],
            None,
        )?;
        audit::plant_foreign(scheduled);
    }
    let private_docker = trials::PrivateDocker::start(&base)?;
    let mut docker_data = data("docker")?;
    docker_data.docker_host = Some(trials::PrivateDocker::socket(&base));
    audit::plant_foreign(&docker_data);
    let disk = data("disk")?;
    let read_only = data("read-only")?;
    trials::mount_tmpfs(&disk.root, 40)?;
    trials::mount_ext4(&base.join("read-only.ext4"), &read_only.root, 1024)?;
    for (dir, root) in [(&disk.dir, &disk.root), (&read_only.dir, &read_only.root)] {
        let store = dbm_engine::store::Store::open_in(dir).map_err(|e| fail(e.to_string()))?;
        dbm_engine::settings::set(
            &store,
            dbm_engine::settings::BACKUP_ROOT,
            &root.display().to_string(),
        )
        .map_err(|e| fail(e.to_string()))?;
    }
    audit::plant_foreign(&disk);
    audit::plant_foreign(&read_only);

    let mut rows = Vec::new();
    for (kind, count) in PLAN {
        let count = if quick { 1 } else { count };
        let target = match kind {
            Kind::KillDaemon => &daemon,
            Kind::KillApp => &app_data,
            Kind::DockerRestart => &docker_data,
            Kind::DiskFull => &disk,
            Kind::ReadOnly => &read_only,
            _ => &main,
        };
        let timer = Instant::now();
        let mut row = Row {
            label: kind.label().to_string(),
            runs: 0,
            figures: Figures::default(),
            restart_failed: 0,
            seconds: 0.0,
        };
        for _ in 0..count {
            let outcome = trials::run(&context, target, kind, &mut rng)?;
            row.runs += 1;
            row.figures += outcome.figures;
            // A full disk fails every big backup; the restart's small one must still work.
            row.restart_failed += usize::from(outcome.restart_failed);
        }
        row.seconds = timer.elapsed().as_secs_f64();
        eprintln!(
            "[faults] {}: {} runs in {:.0} s",
            row.label, row.runs, row.seconds
        );
        rows.push(row);
    }
    private_docker.stop();

    // The notification daemon frozen while the app's schedule keeps failing.
    let notify_stalls = notify_frozen(&base, &dbm_bin, &app, &secret, if quick { 1 } else { 2 })?;
    // The wall clock stepped ±2 h under the scheduler.
    let runtime = tokio::runtime::Runtime::new().map_err(|e| fail(e.to_string()))?;
    let (mut fired_twice, mut not_fired, mut clock_runs) = (0, 0, 0);
    for (index, step) in [2, -2, 2, -2]
        .into_iter()
        .enumerate()
        .take(if quick { 2 } else { 4 })
    {
        let figures = runtime.block_on(clock::trial(&base, step, index))?;
        fired_twice += figures.fired_twice;
        not_fired += figures.not_fired;
        clock_runs += 1;
    }

    // Every backup marked completed must verify (size, SHA-256, pg_restore --list).
    let mut bad_completed = 0;
    let mut completed = 0;
    for data in [&main, &daemon, &app_data, &disk, &read_only] {
        for backup in data.backups().iter().filter(|b| b["status"] == "completed") {
            completed += 1;
            let id = backup["id"].to_string();
            let verified = data.run(&["backup", "verify", &id, "--json"], None);
            let result: serde_json::Value =
                serde_json::from_slice(&verified.stdout).unwrap_or(serde_json::Value::Null);
            if result["ok"] != true {
                bad_completed += 1;
                eprintln!(
                    "[faults] backup {id} is marked completed but fails verification: {result}"
                );
            }
        }
    }

    let scratch = base.join("scratch");
    let _ = std::fs::create_dir_all(&scratch);
    let input = inputs::run(&main, first_id, &scratch);
    for failure in &input.failures {
        eprintln!("[faults] input not handled: {failure}");
    }

    let (argv_hits, samples) = argv.finish();
    let (files_with_secret, files_read) = secrets::in_files(&base, &secret);
    for file in &files_with_secret {
        eprintln!("[faults] the password is in {file}");
    }
    let container_hits = secrets::in_containers(&secret, &[None]);
    trials::unmount(&disk.root);
    trials::unmount(&read_only.root);

    print_table(&rows);
    let mut total = Figures::default();
    let mut restart_failed = 0;
    let mut runs = 0;
    for row in &rows {
        total += row.figures;
        restart_failed += row.restart_failed;
        runs += row.runs;
    }
    let secret_hits = argv_hits + files_with_secret.len() + container_hits;
    let figures = [
        (
            "injections (process, server, Docker, disk, SQLite)",
            runs,
            None,
        ),
        (
            "  + notification daemon frozen",
            if quick { 1 } else { 2 },
            None,
        ),
        ("  + wall clock stepped ±2 h", clock_runs, None),
        (
            "backups marked completed that fail verification",
            bad_completed,
            Some(0),
        ),
        (
            "runs left running after a restart",
            total.running_after_restart,
            Some(0),
        ),
        (
            "our .partial files left after a restart",
            total.partials_left,
            Some(0),
        ),
        ("foreign files removed", total.foreign_removed, Some(0)),
        (
            "records lost (or finished files the library does not know)",
            total.records_lost,
            Some(0),
        ),
        (
            "containers of ours left after a restart",
            total.containers_left,
            Some(0),
        ),
        (
            "restarts whose own backup did not complete",
            restart_failed,
            Some(0),
        ),
        (
            "app stalled by the frozen notification daemon",
            notify_stalls,
            Some(0),
        ),
        (
            "due times fired twice (or when not due)",
            fired_twice,
            Some(0),
        ),
        ("due times that never fired", not_fired, Some(0)),
        (
            "password outside the keyring and a live run's container",
            secret_hits,
            Some(0),
        ),
    ];
    println!();
    let mut all_ok = true;
    for (label, value, target) in figures {
        let verdict = match target {
            Some(t) if value == t => "ok",
            Some(_) => {
                all_ok = false;
                "OFF"
            }
            None => "",
        };
        println!("{label:<62} {value:>6}  {verdict}");
    }
    let input_ok = input.handled == input.tried;
    all_ok &= input_ok;
    println!(
        "{:<62} {:>6}  {}",
        format!(
            "hostile inputs answered clearly, nothing changed (of {})",
            input.tried
        ),
        input.handled,
        if input_ok { "ok" } else { "OFF" }
    );
    println!(
        "\n{completed} completed backups verified; the password searched in {files_read} files, \
         {samples} samples of every process's argv, every container's inspect; {:.0} s in all",
        started.elapsed().as_secs_f64()
    );
    println!("{}", if all_ok { "PASS" } else { "FAIL" });
    Ok(all_ok)
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<30} {:>4} {:>8} {:>8} {:>8} {:>8} {:>10} {:>8} {:>6}",
        "injection", "runs", "running", "partial", "foreign", "lost", "containers", "restart", "s"
    );
    for row in rows {
        let f = row.figures;
        println!(
            "{:<30} {:>4} {:>8} {:>8} {:>8} {:>8} {:>10} {:>8} {:>6.0}",
            row.label,
            row.runs,
            f.running_after_restart,
            f.partials_left,
            f.foreign_removed,
            f.records_lost,
            f.containers_left,
            row.restart_failed,
            row.seconds
        );
    }
}

/// The app's scheduler keeps running (and recording) while the notification daemon is frozen
/// and every run fails (so every run notifies). Answers how many trials it stalled in.
fn notify_frozen(
    base: &Path,
    dbm: &Path,
    app: &Path,
    secret: &str,
    trials: usize,
) -> Result<usize> {
    let data = DataDir::new(base, "notify", dbm, secret)?;
    // A connection nothing listens on: each run fails at once and asks for a notification.
    data.ok(
        &[
            "connection",
            "add",
            "--name",
            "down",
            "--host",
            "127.0.0.1",
            "--port",
            "1",
            "--database",
            "d",
            "--user",
            "u",
            "--json",
        ],
        None,
    )?;
    data.ok(
        &[
            "schedule",
            "add",
            "--connection",
            "down",
            "--cron",
            "* * * * * *",
            "--name",
            "each second",
            "--json",
        ],
        None,
    )?;
    let mut stalls = 0;
    for _ in 0..trials {
        let child = trials::spawn_app(app, &data)?;
        std::thread::sleep(Duration::from_secs(4));
        signal_dunst("-STOP");
        let before = data.backups().len();
        std::thread::sleep(Duration::from_secs(8));
        let during = data.backups().len() - before.min(data.backups().len());
        signal_dunst("-CONT");
        trials::kill_group_after(child, Duration::ZERO);
        // One run a second for eight seconds; a stall lets none (or one) through.
        if during < 4 {
            stalls += 1;
            eprintln!("[faults] only {during} runs recorded while notifications were frozen");
        }
        let _ = data.restart();
    }
    Ok(stalls)
}

fn signal_dunst(signal: &str) {
    let pids = Command::new("pgrep")
        .args(["-x", "dunst"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    for pid in pids.lines() {
        let _ = Command::new("kill").args([signal, pid]).status();
    }
}

/// Removes a previous run's folder: its mounts first (tmpfs, ext4, a private Docker's), deepest
/// first, and any immutable flag a stopped run left.
fn cleanup(base: &Path) -> Result<()> {
    let docker = trials::PrivateDocker::at(base);
    docker.stop();
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let mut under: Vec<&str> = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|point| Path::new(point).starts_with(base))
        .collect();
    under.sort_by_key(|point| std::cmp::Reverse(point.len()));
    for point in under {
        trials::unmount(Path::new(point));
    }
    if base.exists() {
        let _ = Command::new("chattr")
            .arg("-R")
            .arg("-i")
            .arg(base)
            .stderr(std::process::Stdio::null())
            .status();
        std::fs::remove_dir_all(base)
            .map_err(|e| fail(format!("removing {}: {e}", base.display())))?;
    }
    Ok(())
}
