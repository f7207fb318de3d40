//! `cargo xtask bench storage`: a big backup copied to the loopback S3 server (s3s-fs) by
//! `dbm backup copy`, against a plain streaming upload of the same file by the same library
//! (`examples/plain_upload.rs`, the floor); encrypted with age against not; and each run's
//! peak RSS against `dbm` idle. Targets: copy ≤ 1.1 × the floor, encrypted ≤ 1.1 × plain,
//! peak RSS ≤ idle + 32 MB.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::dataset::{self, Server};
use crate::{sh, step};

const USAGE: &str = "usage: cargo xtask bench storage [--reps N]
  --reps N   repetitions (default 3); the table shows medians";

const MAJOR: u32 = 17;
const ROWS: u64 = 7_000_000;
const TARGET_RATIO: f64 = 1.1;
const RSS_BUDGET_MB: f64 = 32.0;
const IN_SESSION: &str = "--in-session";

fn reps_of(args: &[String]) -> Result<(usize, bool), String> {
    let (mut reps, mut in_session) = (3, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--reps" => {
                reps = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("--reps needs a positive number\n{USAGE}"))?
            }
            IN_SESSION => in_session = true,
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((reps, in_session))
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let (reps, in_session) = reps_of(args)?;
    if in_session {
        return measure(reps);
    }
    step(
        "start the test environment",
        &mut sh("scripts/testenv/up.sh"),
    )?;
    step(
        "build dbm and the plain upload (release)",
        crate::cargo().args([
            "build",
            "--release",
            "-p",
            "dbm-cli",
            "-p",
            "dbm-engine",
            "--example",
            "plain_upload",
        ]),
    )?;
    let xtask = std::env::current_exe().map_err(|e| format!("where is xtask itself? {e}"))?;
    let release = super::target_dir().join("release");
    step(
        "benchmark copies (inside scripts/testenv/session.sh)",
        sh("scripts/testenv/session.sh")
            .arg(xtask)
            .args(["bench", "storage", IN_SESSION, "--reps", &reps.to_string()])
            .env("DBM_BENCH_BIN", release.join("dbm"))
            .env("DBM_BENCH_UPLOAD", release.join("examples/plain_upload")),
    )
}

/// A finished run: its wall time and the highest RSS seen (VmHWM, read while it runs).
struct Run {
    seconds: f64,
    peak_mb: f64,
    stdout: Vec<u8>,
}

fn watched(command: &mut Command) -> Result<Run, String> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{command:?}: {e}"))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut stdout) = stdout {
            let _ = std::io::Read::read_to_end(&mut stdout, &mut out);
        }
        out
    });
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for {command:?}: {e}")),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = reader.join().unwrap_or_default();
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(Run {
        seconds,
        peak_mb: peak_kb as f64 / 1024.0,
        stdout,
    })
}

fn env(key: &str) -> Result<String, String> {
    std::env::var(key).map_err(|_| format!("{key} is not set: run `cargo xtask bench storage`"))
}

fn dbm(binary: &Path, data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    command.arg("--data-dir").arg(data).args(args);
    command
}

fn with_stdin(mut command: Command, input: &str) -> Result<(), String> {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{command:?}: {e}"))?;
    if let Some(stdin) = child.stdin.as_mut() {
        writeln!(stdin, "{input}").map_err(|e| e.to_string())?;
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "{command:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

fn backup(binary: &Path, data: &Path, extra: &[&str]) -> Result<(i64, PathBuf, u64), String> {
    let mut args = vec!["backup", "run", "bench", "--json"];
    args.extend_from_slice(extra);
    let run = watched(&mut dbm(binary, data, &args))?;
    let made: serde_json::Value =
        serde_json::from_slice(&run.stdout).map_err(|e| format!("dbm backup run: {e}"))?;
    Ok((
        made["id"].as_i64().ok_or("no backup id")?,
        PathBuf::from(made["filePath"].as_str().ok_or("no file")?),
        made["sizeBytes"].as_u64().unwrap_or(0),
    ))
}

/// `dbm` at rest: a `dbm daemon` on the same data dir (store open, runtime up, nothing due),
/// its VmHWM read after 3 s, then stopped.
fn idle_daemon_mb(binary: &Path, data: &Path) -> Result<f64, String> {
    let mut child = dbm(binary, data, &["daemon"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("dbm daemon: {e}"))?;
    std::thread::sleep(Duration::from_secs(3));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .ok_or_else(|| "dbm daemon ended before its memory could be read".to_string())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn measure(reps: usize) -> Result<(), String> {
    let binary = PathBuf::from(env("DBM_BENCH_BIN")?);
    let upload = PathBuf::from(env("DBM_BENCH_UPLOAD")?);
    let (endpoint, bucket) = (env("DBM_S3_ENDPOINT")?, env("DBM_S3_BUCKET")?);
    let server = Server::from_env(MAJOR);
    let set = dataset::ensure(&server, ROWS)?;
    let parent = std::env::var_os("DBM_TEST_SESSION_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let work = parent.join(format!("dbm-bench-storage.{}", std::process::id()));
    let data = work.join("data");
    let prefix = format!("bench-{}", std::process::id());
    let mut add = dbm(&binary, &data, &["connection", "add", "--name", "bench"]);
    add.args([
        "--host",
        &server.host,
        "--port",
        &server.port.to_string(),
        "--user",
        &server.user,
    ])
    .args(["--database", dataset::DATABASE, "--password-stdin"]);
    with_stdin(add, &server.password)?;
    let mut add = dbm(
        &binary,
        &data,
        &["storage", "add", "s3", "--s3", "--endpoint", &endpoint],
    );
    add.args(["--bucket", &bucket, "--prefix", &prefix, "--path-style"])
        .args([
            "--access-key-id",
            &env("DBM_S3_ACCESS_KEY")?,
            "--secret-stdin",
        ]);
    with_stdin(add, &env("DBM_S3_SECRET_KEY")?)?;

    eprintln!(
        "==> backups of dbm_bench ({} rows, {:.0} MB on server {MAJOR})",
        set.rows,
        set.bytes as f64 / 1e6
    );
    let (big, big_file, big_size) = backup(&binary, &data, &["--compress", "none"])?;
    let (default, _, default_size) = backup(&binary, &data, &[])?;
    let idle = idle_daemon_mb(&binary, &data)?;

    let mut rows: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
        (
            "plain streaming upload (OpenDAL alone)",
            Vec::new(),
            Vec::new(),
        ),
        ("dbm backup copy", Vec::new(), Vec::new()),
        ("dbm backup copy --encrypt", Vec::new(), Vec::new()),
        ("default backup: dbm backup copy", Vec::new(), Vec::new()),
        (
            "default backup: dbm backup copy --encrypt",
            Vec::new(),
            Vec::new(),
        ),
    ];
    for rep in 1..=reps {
        let mut runs = Vec::new();
        let mut plain = Command::new(&upload);
        plain
            .args([
                &endpoint,
                &bucket,
                &format!("{prefix}/plain-{rep}"),
                &big_file.display().to_string(),
            ])
            .env("DBM_S3_ACCESS_KEY", env("DBM_S3_ACCESS_KEY")?)
            .env("DBM_S3_SECRET_KEY", env("DBM_S3_SECRET_KEY")?);
        runs.push(watched(&mut plain)?);
        let (big_id, default_id) = (big.to_string(), default.to_string());
        runs.push(watched(&mut dbm(
            &binary,
            &data,
            &["backup", "copy", &big_id, "s3"],
        ))?);
        runs.push(watched(&mut dbm(
            &binary,
            &data,
            &["backup", "copy", &big_id, "s3", "--encrypt"],
        ))?);
        runs.push(watched(&mut dbm(
            &binary,
            &data,
            &["backup", "copy", &default_id, "s3"],
        ))?);
        runs.push(watched(&mut dbm(
            &binary,
            &data,
            &["backup", "copy", &default_id, "s3", "--encrypt"],
        ))?);
        eprintln!(
            "    rep {rep}/{reps}  {}",
            runs.iter()
                .map(|r| format!("{:.1} s", r.seconds))
                .collect::<Vec<_>>()
                .join("  ")
        );
        for (row, run) in rows.iter_mut().zip(runs) {
            row.1.push(run.seconds);
            row.2.push(run.peak_mb);
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_dir_all(Path::new(&env("DBM_S3_DATA")?).join(&bucket).join(&prefix));

    let medians: Vec<(f64, f64)> = rows
        .iter()
        .map(|(_, s, m)| (median(s.clone()), m.iter().copied().fold(0.0, f64::max)))
        .collect();
    let mb = |bytes: u64| bytes as f64 / (1 << 20) as f64;
    println!();
    println!(
        "| copy to loopback S3 (s3s-fs), {:.0} MiB uncompressed backup; default backup {:.0} MiB | median wall | ratio | peak RSS | target |",
        mb(big_size),
        mb(default_size)
    );
    println!("|---|---:|---:|---:|---|");
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let floor = medians[0].0;
    for (index, ((name, _, _), (seconds, peak))) in rows.iter().zip(&medians).enumerate() {
        let (ratio, target) = match index {
            0 => (1.0, String::new()),
            1 => (
                seconds / floor,
                format!(
                    "≤ {TARGET_RATIO} × floor {}",
                    verdict(seconds / floor <= TARGET_RATIO)
                ),
            ),
            2 => {
                let r = seconds / medians[1].0;
                (
                    r,
                    format!(
                        "≤ {TARGET_RATIO} × unencrypted {}",
                        verdict(r <= TARGET_RATIO)
                    ),
                )
            }
            3 => (1.0, String::new()),
            _ => {
                let r = seconds / medians[3].0;
                (
                    r,
                    format!(
                        "≤ {TARGET_RATIO} × unencrypted {}",
                        verdict(r <= TARGET_RATIO)
                    ),
                )
            }
        };
        let rss_ok = index == 0 || *peak <= idle + RSS_BUDGET_MB;
        println!(
            "| {name} | {seconds:.2} s | {ratio:.2} | {peak:.0} MB{} | {target} |",
            if index == 0 {
                String::new()
            } else {
                format!(" ({})", if rss_ok { "ok" } else { "OVER" })
            }
        );
    }
    println!();
    println!("dbm idle (dbm daemon, nothing due) RSS: {idle:.0} MB; budget for a copy: idle + {RSS_BUDGET_MB:.0} MB = {:.0} MB.", idle + RSS_BUDGET_MB);
    Ok(())
}
