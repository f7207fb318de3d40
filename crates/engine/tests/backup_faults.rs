//! Backups that cannot complete end failed (or cancelled) with a clear message, leave no file,
//! and are never marked completed. Real servers, real Docker; pg_dump is held mid-run with a
//! table lock where a fault must strike while it runs.

mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dbm_engine::backups::{Backup, NoProgress};
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::model::{BackupStatus, DumpFormat, RunnerKind};
use dbm_engine::settings::{self, EnginePolicy};
use support::backup::{setup, setup_with_password, spawn_backup, Setup};
use support::database;
use tokio_postgres::Client;
use tokio_util::sync::CancellationToken;

fn assert_failed_without_file(setup: &Setup, backup: &Backup, expected: &[&str]) {
    assert_eq!(backup.status, BackupStatus::Failed, "{backup:?}");
    let error = backup.error_message.clone().unwrap_or_default();
    for needle in expected {
        assert!(
            error.contains(needle),
            "the error names {needle:?}: {error}"
        );
    }
    assert!(backup.sha256.is_none() && backup.size_bytes.is_none());
    let files: Vec<_> = setup
        .files()
        .into_iter()
        .filter(|f| f.is_file() || f.extension().is_some())
        .collect();
    assert!(files.is_empty(), "no file is left: {files:?}");
}

async fn small_database(major: u32, name: &str) {
    database::recreate(major, name).await;
    database::client(major, name)
        .await
        .batch_execute(
            "CREATE TABLE t AS SELECT g, md5(g::text) AS s FROM generate_series(1, 5000) g",
        )
        .await
        .unwrap();
}

/// Holds an exclusive lock on `t`: pg_dump waits for it, mid-run, until the client goes.
async fn lock_table(major: u32, name: &str) -> Client {
    let client = database::client(major, name).await;
    client
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    client
}

/// Waits until pg_dump of the app is blocked on the lock.
/// The app's pg_dump container for database `name`.
fn pg_dump_container(name: &str) -> String {
    let ids = Command::new("docker")
        .args(["ps", "-q", "--filter", "label=dev.dbm.role=pg_dump"])
        .output()
        .unwrap();
    for id in String::from_utf8_lossy(&ids.stdout).lines() {
        let env = Command::new("docker")
            .args(["inspect", "-f", "{{json .Config.Env}}", id])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&env.stdout).contains(&format!("PGDATABASE={name}\"")) {
            return id.to_string();
        }
    }
    panic!("no pg_dump container for {name}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_pg_dump_is_refused_and_the_needed_image_named() {
    let setup = setup(18, "postgres");
    // Only pg_dump 17 on offer: an image template without {major}.
    settings::set(&setup.store, settings::IMAGE_TEMPLATE, "postgres:17").unwrap();
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    assert_failed_without_file(
        &setup,
        &backup,
        &["pg_dump 17", "PostgreSQL 18", "postgres:18"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_fails_clearly() {
    let setup = setup_with_password(16, "postgres", "definitely-wrong");
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    assert_failed_without_file(&setup, &backup, &["refused the password"]);
    assert!(!backup.error_message.unwrap().contains("definitely-wrong"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_dropped_before_the_run_fails_clearly() {
    small_database(15, "dbm_fault_dropped").await;
    let setup = setup(15, "dbm_fault_dropped");
    database::drop(15, "dbm_fault_dropped").await;
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    assert_failed_without_file(&setup, &backup, &["no database \"dbm_fault_dropped\""]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_fails_and_removes_the_partial() {
    small_database(17, "dbm_fault_disk_full").await;
    let setup = setup(17, "dbm_fault_disk_full");
    std::fs::create_dir_all(&setup.root).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&setup.root)
        .status()
        .unwrap();
    assert!(mounted.success(), "mounting a small tmpfs needs root");
    let options = DumpOptions {
        format: DumpFormat::Plain,
        compression: "none".parse().unwrap(),
        ..Default::default()
    };
    let backup = setup
        .backup_with(
            options,
            EnginePolicy::Docker,
            Arc::new(NoProgress),
            CancellationToken::new(),
        )
        .await;
    let leftover_files: Vec<_> = setup.files().into_iter().filter(|f| !f.is_dir()).collect();
    let _ = Command::new("umount").arg(&setup.root).status();
    assert_eq!(backup.status, BackupStatus::Failed);
    assert!(
        backup.error_message.as_deref().unwrap().contains("is full"),
        "{backup:?}"
    );
    assert!(
        leftover_files.is_empty(),
        "no file left: {leftover_files:?}"
    );
    database::drop(17, "dbm_fault_disk_full").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_backup_folder_fails_clearly() {
    let setup = setup(14, "postgres");
    std::fs::create_dir_all(&setup.root).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"])
        .arg(&setup.root)
        .status()
        .unwrap();
    assert!(mounted.success());
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    let _ = Command::new("umount").arg(&setup.root).status();
    assert_eq!(backup.status, BackupStatus::Failed);
    let error = backup.error_message.unwrap();
    assert!(
        error.contains("cannot be written") && error.contains("backup folder"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_container_killed_mid_dump_fails_and_leaves_nothing() {
    small_database(16, "dbm_fault_killed").await;
    let setup = setup(16, "dbm_fault_killed");
    let lock = lock_table(16, "dbm_fault_killed").await;
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Docker,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(16, "dbm_fault_killed").await;

    let container = pg_dump_container("dbm_fault_killed");
    // The password travels in the environment only, never in the command line.
    let cmd = Command::new("docker")
        .args([
            "inspect",
            "-f",
            "{{json .Config.Cmd}} {{json .Args}}",
            &container,
        ])
        .output()
        .unwrap();
    let cmd = String::from_utf8_lossy(&cmd.stdout);
    let password = support::env_or("DBM_PG_PASSWORD", "postgres");
    assert!(
        cmd.contains("pg_dump") && !cmd.contains(&password) && !cmd.contains("PGPASSWORD"),
        "{cmd}"
    );
    assert!(Command::new("docker")
        .args(["kill", &container])
        .status()
        .unwrap()
        .success());

    let backup = run.await.unwrap();
    drop(lock);
    assert_failed_without_file(&setup, &backup, &["pg_dump"]);
    let gone = Command::new("docker")
        .args(["inspect", &container])
        .output()
        .unwrap();
    assert!(!gone.status.success(), "the container was removed");
    database::drop(16, "dbm_fault_killed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_drops_the_session_mid_dump_fails_clearly() {
    small_database(13, "dbm_fault_terminated").await;
    let setup = setup(13, "dbm_fault_terminated");
    let lock = lock_table(13, "dbm_fault_terminated").await;
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Docker,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(13, "dbm_fault_terminated").await;
    // What a server restart does to a session: the backend goes away under pg_dump.
    database::client(13, "postgres")
        .await
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = 'dbm_fault_terminated' AND application_name LIKE 'dbm-backup-%'",
        )
        .await
        .unwrap();
    let backup = run.await.unwrap();
    drop(lock);
    assert_failed_without_file(&setup, &backup, &["pg_dump failed", "terminat"]);
    database::drop(13, "dbm_fault_terminated").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_stops_pg_dump_removes_the_container_and_leaves_no_file() {
    small_database(17, "dbm_fault_cancelled").await;
    let setup = setup(17, "dbm_fault_cancelled");
    let lock = lock_table(17, "dbm_fault_cancelled").await;
    let cancel = CancellationToken::new();
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Docker,
        cancel.clone(),
    );
    database::wait_for_blocked_tool(17, "dbm_fault_cancelled").await;
    let container = pg_dump_container("dbm_fault_cancelled");
    cancel.cancel();
    let backup = run.await.unwrap();
    drop(lock);
    assert_eq!(backup.status, BackupStatus::Cancelled, "{backup:?}");
    assert!(
        setup.files().iter().all(|f| f.is_dir()),
        "{:?}",
        setup.files()
    );
    assert!(!Command::new("docker")
        .args(["inspect", &container])
        .output()
        .unwrap()
        .status
        .success());
    database::drop(17, "dbm_fault_cancelled").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_runner_keeps_the_password_out_of_the_process_list() {
    // Needs a local pg_dump at least as new as the server: the host's client (15 on Debian 12).
    let local = dbm_engine::dump::local_binaries::find_local_pg_dumps();
    let major = local
        .first()
        .map(|b| b.major)
        .expect("a local pg_dump (scripts/testenv installs one)")
        .min(15);
    let name = "dbm_local_cmdline";
    small_database(major, name).await;
    let setup = setup(major, name);
    let lock = lock_table(major, name).await;
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Local,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(major, name).await;
    let password = support::env_or("DBM_PG_PASSWORD", "postgres");
    let mut seen_pg_dump = false;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains("pg_dump") && cmdline.contains("--format=c") {
            seen_pg_dump = true;
            assert!(
                !cmdline.contains(&format!("{password} ")) && !cmdline.contains("password="),
                "{cmdline}"
            );
        }
    }
    assert!(seen_pg_dump, "the local pg_dump was running");
    drop(lock);
    let backup = run.await.unwrap();
    assert_eq!(backup.status, BackupStatus::Completed, "{backup:?}");
    assert_eq!(backup.runner, Some(RunnerKind::Local));
    database::drop(major, name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_docker_auto_uses_a_local_pg_dump_and_docker_fails_clearly() {
    // This test has its own process (nextest): point it at a Docker that is not running.
    std::env::set_var("DOCKER_HOST", "unix:///nonexistent/dbm-test-docker.sock");
    let local_major = dbm_engine::dump::local_binaries::find_local_pg_dumps()
        .first()
        .map(|b| b.major)
        .expect("a local pg_dump");
    let fits = local_major.min(15);
    let older = setup(fits, "postgres");
    let auto = older.backup(DumpFormat::Custom, EnginePolicy::Auto).await;
    assert_eq!(auto.status, BackupStatus::Completed, "{auto:?}");
    assert_eq!(auto.runner, Some(RunnerKind::Local));

    let docker = older.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    assert_eq!(docker.status, BackupStatus::Failed);
    assert!(docker
        .error_message
        .unwrap()
        .contains("Docker is not running"));

    // Neither: no Docker and no local pg_dump new enough for 18.
    if local_major < 18 {
        let newest = setup(18, "postgres");
        let neither = newest.backup(DumpFormat::Custom, EnginePolicy::Auto).await;
        assert_eq!(neither.status, BackupStatus::Failed);
        let error = neither.error_message.unwrap();
        assert!(
            error.contains("Docker is not running") && error.contains("No local pg_dump 18"),
            "{error}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn start_up_recovery_leaves_a_run_that_is_alive_and_its_partial_alone() {
    small_database(18, "dbm_recovery_alive").await;
    let setup = setup(18, "dbm_recovery_alive");
    let lock = lock_table(18, "dbm_recovery_alive").await;
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Docker,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(18, "dbm_recovery_alive").await;

    // Another process starting up (the app beside dbm) runs recovery now.
    let recovered = dbm_engine::library::recovery::recover(&setup.store)
        .await
        .unwrap();
    assert_eq!(
        (
            recovered.interrupted_runs,
            recovered.removed_partials,
            recovered.recorded_completed
        ),
        (0, 0, 0),
        "a live run is neither interrupted nor cleaned: {recovered:?}"
    );
    let partial = setup
        .files()
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".partial"))
        .count();
    assert_eq!(partial, 1);

    drop(lock);
    let backup = run.await.unwrap();
    assert_eq!(backup.status, BackupStatus::Completed, "{backup:?}");
    database::drop(18, "dbm_recovery_alive").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_that_cannot_be_pulled_is_named_with_how_to_get_it() {
    let setup = setup(16, "postgres");
    settings::set(
        &setup.store,
        settings::IMAGE_TEMPLATE,
        "dbm-test-missing/postgres:{major}",
    )
    .unwrap();
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    assert_failed_without_file(
        &setup,
        &backup,
        &[
            "dbm-test-missing/postgres:16",
            "docker pull dbm-test-missing/postgres:16",
        ],
    );
}

/// A Docker daemon of this test's own (socket, data and state in a temp dir), with
/// `postgres:<major>` loaded into it, so stopping it disturbs no other test.
struct PrivateDocker {
    dir: tempfile::TempDir,
    daemon: std::process::Child,
}

impl PrivateDocker {
    fn start(major: u32) -> PrivateDocker {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!("unix://{}", dir.path().join("docker.sock").display());
        let daemon = Command::new("dockerd")
            .arg("--host")
            .arg(&socket)
            .arg("--data-root")
            .arg(dir.path().join("root"))
            .arg("--exec-root")
            .arg(dir.path().join("exec"))
            .arg("--pidfile")
            .arg(dir.path().join("dockerd.pid"))
            .args([
                "--iptables=false",
                "--ip-masq=false",
                "--bridge=none",
                "--shutdown-timeout=2",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("dockerd.log")).unwrap())
            .spawn()
            .expect("start a private dockerd");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !Command::new("docker")
            .env("DOCKER_HOST", &socket)
            .arg("info")
            .output()
            .unwrap()
            .status
            .success()
        {
            assert!(
                Instant::now() < deadline,
                "the private dockerd did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let image = format!("postgres:{major}");
        let loaded = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "docker save {image} | DOCKER_HOST={socket} docker load"
            ))
            .output()
            .unwrap();
        assert!(
            loaded.status.success(),
            "{}",
            String::from_utf8_lossy(&loaded.stderr)
        );
        std::env::set_var("DOCKER_HOST", &socket);
        PrivateDocker { dir, daemon }
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.daemon.id().to_string())
            .status();
        let _ = self.daemon.wait();
    }
}

impl Drop for PrivateDocker {
    fn drop(&mut self) {
        self.stop();
        let _ = Command::new("umount")
            .arg("-R")
            .arg(self.dir.path())
            .output();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_docker_daemon_stopping_mid_dump_fails_the_backup_and_leaves_nothing() {
    let mut docker = PrivateDocker::start(16);
    small_database(16, "dbm_fault_daemon_stopped").await;
    let setup = setup(16, "dbm_fault_daemon_stopped");
    let lock = lock_table(16, "dbm_fault_daemon_stopped").await;
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Docker,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(16, "dbm_fault_daemon_stopped").await;

    docker.stop();
    let backup = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the run ends")
        .unwrap();
    drop(lock);
    assert_eq!(backup.status, BackupStatus::Failed, "{backup:?}");
    let leftover_files: Vec<_> = setup.files().into_iter().filter(|f| !f.is_dir()).collect();
    assert!(leftover_files.is_empty(), "{leftover_files:?}");
    database::drop(16, "dbm_fault_daemon_stopped").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_leftover_sweep_never_touches_a_young_container_of_another_process() {
    // A container another process has just created (and is about to start) or just ended.
    let created = Command::new("docker")
        .args([
            "create",
            "--label",
            "dev.dbm.role=pg_dump",
            "postgres:16",
            "true",
        ])
        .output()
        .unwrap();
    assert!(created.status.success());
    let id = String::from_utf8_lossy(&created.stdout).trim().to_string();
    let docker = dbm_engine::docker::connect().await.unwrap();
    dbm_engine::docker::remove_orphans(&docker).await;
    let still_there = Command::new("docker")
        .args(["inspect", &id])
        .output()
        .unwrap()
        .status
        .success();
    let _ = Command::new("docker").args(["rm", "-f", &id]).output();
    assert!(still_there, "a young container is left to its owner");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_backup_waits_for_the_apps_database_held_by_another_process_and_is_recorded() {
    small_database(16, "dbm_fault_sqlite_busy").await;
    let setup = setup(16, "dbm_fault_sqlite_busy");
    let lock = lock_table(16, "dbm_fault_sqlite_busy").await;
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Docker,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(16, "dbm_fault_sqlite_busy").await;
    // Another process's write lock on the app's database, longer than its 5 s busy timeout.
    let path = setup.store.path().to_path_buf();
    let (held, release) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let sql = rusqlite::Connection::open(path).unwrap();
        sql.execute_batch("BEGIN EXCLUSIVE").unwrap();
        held.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(8));
        sql.execute_batch("COMMIT").unwrap();
    });
    release.recv().unwrap();
    drop(lock); // pg_dump goes on and finishes while the database is held
    let backup = run.await.unwrap();
    holder.join().unwrap();
    assert_eq!(backup.status, BackupStatus::Completed, "{backup:?}");
    assert!(backup.sha256.is_some());
    database::drop(16, "dbm_fault_sqlite_busy").await;
}
