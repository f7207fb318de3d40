//! `dbm backup run` against each real server, and a dbm killed with -9 mid-dump: at the next
//! start the run is interrupted, its container (still running, the password in its environment)
//! is gone and no `.partial` remains.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{dbm_command as dbm, partials, pg_password, psql, run_dbm as run};

fn add_connection(data_dir: &Path, name: &str, major: u32, database: &str) {
    let added = support::add_connection(data_dir, name, major, database, &pg_password());
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
}

#[test]
fn backup_run_makes_a_completed_backup_of_each_server() {
    let dir = tempfile::tempdir().unwrap();
    for major in 13..=18 {
        let name = format!("pg{major}");
        add_connection(dir.path(), &name, major, "postgres");
        let output = run(dir.path(), &["backup", "run", &name, "--json"], None);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let backup: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(backup["status"], "completed", "{backup:#}");
        assert_eq!(backup["runnerDetail"], format!("postgres:{major}"));
        assert!(Path::new(backup["filePath"].as_str().unwrap()).is_file());
    }
    let listed = run(dir.path(), &["backup", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 6);
}

#[test]
fn a_failed_backup_exits_non_zero_with_pg_dumps_reason_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    add_connection(dir.path(), "missing", 16, "dbm_no_such_database");
    let output = run(dir.path(), &["backup", "run", "missing"], None);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no database \"dbm_no_such_database\""),
        "{stderr}"
    );
    let bad = run(
        dir.path(),
        &["backup", "run", "missing", "--format", "zip"],
        None,
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("custom, plain, tar or directory"));
}

#[test]
fn a_dbm_killed_mid_dump_leaves_an_interrupted_run_and_no_partial_after_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let database = "dbm_cli_kill9";
    psql(
        14,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
    psql(14, "postgres", &format!("CREATE DATABASE {database}"));
    psql(
        14,
        database,
        "CREATE TABLE t AS SELECT generate_series(1, 1000) AS g",
    );
    add_connection(dir.path(), "victim", 14, database);

    // Hold a lock so pg_dump waits mid-run.
    let lock = support::TableLock::hold(14, database);

    let mut victim = dbm(dir.path())
        .args(["backup", "run", "victim", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'
         AND application_name LIKE 'dbm-backup-%' AND wait_event_type = 'Lock'"
    );
    while psql(14, "postgres", &waiting) == "0" {
        assert!(Instant::now() < deadline, "pg_dump never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    victim.kill().unwrap(); // SIGKILL
    victim.wait().unwrap();

    let root = dir.path().join("backups");
    assert_eq!(
        partials(&root).len(),
        1,
        "the killed run left its partial file"
    );
    let stale = run(dir.path(), &["backup", "list", "--json"], None);
    let stale: serde_json::Value = serde_json::from_slice(&stale.stdout).unwrap();
    assert_eq!(stale[0]["status"], "running", "nothing has looked yet");

    // The dead run's pg_dump still runs in its container, waiting on the lock, the password in
    // its environment.
    let containers = containers_of(database);
    assert_eq!(
        containers.len(),
        1,
        "the killed run's container is still there"
    );

    // The next start of any dbm that runs backups (here: a backup of another database, while
    // the lock still holds) removes it at once.
    add_connection(dir.path(), "bystander", 14, "postgres");
    let other = run(dir.path(), &["backup", "run", "bystander", "--json"], None);
    assert!(
        other.status.success(),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    assert!(
        containers_of(database).is_empty(),
        "the dead run's container is removed at the next start"
    );
    lock.release();

    let next = run(dir.path(), &["backup", "run", "victim", "--json"], None);
    assert!(
        next.status.success(),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );
    let list = run(dir.path(), &["backup", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["completed", "completed", "interrupted"]);
    assert!(list[2]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("stopped while this backup was running"));
    assert!(
        partials(&root).is_empty(),
        "no partial remains: {:?}",
        partials(&root)
    );
    psql(
        14,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
}

/// Containers (any state) whose environment names `database`.
fn containers_of(database: &str) -> Vec<String> {
    let ids = std::process::Command::new("docker")
        .args(["ps", "-aq", "--filter", "label=dev.dbm.role"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&ids.stdout)
        .lines()
        .filter(|id| {
            let env = std::process::Command::new("docker")
                .args(["inspect", "-f", "{{json .Config.Env}}", id])
                .output()
                .unwrap();
            String::from_utf8_lossy(&env.stdout).contains(&format!("PGDATABASE={database}\""))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn a_relative_data_dir_records_full_paths_and_docker_gets_full_bind_mounts() {
    let dir = tempfile::tempdir().unwrap();
    let relative = Path::new("state");
    let dbm_here =
        |args: &[&str], stdin: Option<&str>| support::run_dbm_in(dir.path(), relative, args, stdin);
    let port = support::port(16);
    let added = dbm_here(
        &[
            "connection",
            "add",
            "--name",
            "rel",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--database",
            "postgres",
            "--user",
            "postgres",
            "--password-stdin",
        ],
        Some(&format!("{}\n", pg_password())),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    // The directory format is written by pg_dump itself into a bind mount.
    let backup = dbm_here(
        &[
            "backup",
            "run",
            "rel",
            "--format",
            "directory",
            "--engine",
            "docker",
            "--json",
        ],
        None,
    );
    assert!(backup.status.success(), "{}", support::text(&backup));
    let record: serde_json::Value = serde_json::from_slice(&backup.stdout).unwrap();
    assert_eq!(record["status"], "completed", "{record}");
    let path = record["filePath"].as_str().unwrap();
    assert!(Path::new(path).is_absolute(), "{path}");
    assert!(
        path.starts_with(&dir.path().join("state").display().to_string()),
        "{path}"
    );
    assert!(Path::new(path).is_dir());
}
