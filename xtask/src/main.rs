//! The project's commands, so that a fresh clone needs only cargo:
//!
//! - `cargo xtask run`  installs what the app needs, builds the UI and the app, and opens it;
//! - `cargo xtask test` installs and starts every real part the tests use (Docker, PostgreSQL
//!   13–18, `postgres:<major>` images, a D-Bus session with an unlocked keyring, a notification
//!   daemon, Xvfb), then runs the lints and the three tiers of tests;
//! - `cargo xtask bindings` regenerates the UI's TypeScript bindings from the Rust types;
//! - `cargo xtask bench` measures a backup of a ~890 MB database against pg_dump alone and
//!   prints a table (see `bench/mod.rs`);
//! - `cargo xtask faults` runs the fault campaign (`crates/faults`) and prints its figures;
//! - `cargo xtask modules` prints the circles among each crate's modules (`module_graph.rs`).

mod bench;
mod module_graph;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_app(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("bindings") => bindings(),
        Some("bench") => bench::bench(&args[1..]),
        Some("faults") => faults(&args[1..]),
        Some("modules") => module_graph::report(&root(), &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask run [--release] | test [--no-lint] [-- NEXTEST_ARGS…] | bindings\n       \
                 | bench [--rows N] [--reps N] | bench --drop | faults [--quick] [--seed N] | modules [--arrows]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a step, timing it; a failure names the step.
fn step(name: &str, command: &mut Command) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("==> {name}");
    let status = command
        .current_dir(root())
        .status()
        .map_err(|e| format!("{name}: cannot start {:?}: {e}", command.get_program()))?;
    eprintln!("<== {name}: {:.0} s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

fn sh(script: &str) -> Command {
    let mut command = Command::new("bash");
    command.arg(script);
    command
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn npm(args: &[&str]) -> Command {
    let mut command = Command::new("npm");
    command.args(["--prefix", "ui"]).args(args);
    command
}

/// `npm ci` only when package-lock.json changed since the last install.
fn ui_install() -> Result<(), String> {
    let lock = root().join("ui/package-lock.json");
    let installed = root().join("ui/node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(lock), Ok(installed)) => match (lock.modified(), installed.modified()) {
            (Ok(lock), Ok(installed)) => installed >= lock,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    step(
        "install UI dependencies",
        npm(&["ci", "--no-audit", "--no-fund", "--loglevel=error"]).env("CI", "true"),
    )
}

fn run_app(args: &[String]) -> Result<(), String> {
    let release = args.iter().any(|a| a == "--release");
    step(
        "install system packages",
        sh("scripts/testenv/install-deps.sh").arg("--app"),
    )?;
    ui_install()?;
    step("build the UI", &mut npm(&["run", "build"]))?;
    let mut build = cargo();
    build.args(["build", "-p", "dbm-app"]);
    if release {
        build.arg("--release");
    }
    step("build the app", &mut build)?;
    let binary = root()
        .join("target")
        .join(if release { "release" } else { "debug" })
        .join("dbm-app");
    step("run the app", &mut Command::new(binary))
}

fn test(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let lint = !args.iter().any(|a| a == "--no-lint");
    let nextest_args: Vec<&String> = args.iter().skip_while(|a| *a != "--").skip(1).collect();

    step(
        "start the test environment",
        &mut sh("scripts/testenv/up.sh"),
    )?;
    ui_install()?;
    if lint {
        step("UI type check", &mut npm(&["run", "check"]))?;
    }
    step("UI unit tests (Vitest)", &mut npm(&["test"]))?;
    step("build the UI", &mut npm(&["run", "build"]))?;
    if lint {
        step(
            "cargo fmt --check",
            cargo().args(["fmt", "--all", "--", "--check"]),
        )?;
        step(
            "cargo clippy",
            cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        )?;
    }
    // Engine, CLI and end-to-end tests run inside one desktop-like session: Xvfb, D-Bus, an
    // unlocked keyring and a notification daemon.
    step(
        "Rust tests (nextest): engine, CLI, app, end to end",
        sh("scripts/testenv/session.sh")
            .args(["cargo", "nextest", "run", "--workspace", "--profile", "ci"])
            .args(nextest_args),
    )?;
    // The fault campaign, one injection of each kind (`cargo xtask faults` runs them all).
    campaign(&["--quick".to_string()])?;
    eprintln!(
        "all tests passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The fault campaign: the test environment, the UI and the three binaries (`dbm`, the app,
/// `dbm-faults`), then the campaign inside the test session (it needs the keyring, a display
/// and a notification daemon).
fn faults(args: &[String]) -> Result<(), String> {
    step(
        "start the test environment",
        &mut sh("scripts/testenv/up.sh"),
    )?;
    ui_install()?;
    step("build the UI", &mut npm(&["run", "build"]))?;
    campaign(args)
}

/// Builds `dbm`, the app and `dbm-faults`, and runs the campaign in the test session.
fn campaign(args: &[String]) -> Result<(), String> {
    step(
        "build dbm, the app and the campaign",
        cargo().args([
            "build",
            "-p",
            "dbm-cli",
            "-p",
            "dbm-app",
            "-p",
            "dbm-faults",
        ]),
    )?;
    step(
        "the fault campaign",
        sh("scripts/testenv/session.sh")
            .arg(root().join("target/debug/dbm-faults"))
            .args(args),
    )
}

fn bindings() -> Result<(), String> {
    step(
        "regenerate ui/src/lib/bindings.ts",
        cargo()
            .args(["test", "-p", "dbm-app", "--test", "bindings"])
            .env("UPDATE_BINDINGS", "1"),
    )
}
