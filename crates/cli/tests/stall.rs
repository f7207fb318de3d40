//! A backup that waits on a lock: ended after its stall limit, with the blocking session's pid
//! and query in its error, and nothing left behind.

mod support;

use std::time::{Duration, Instant};

use support::{add_connection, partials, pg_password, psql, run_dbm, text};

#[test]
fn a_dump_blocked_by_a_lock_ends_after_the_stall_limit_naming_the_blocker() {
    let dir = tempfile::tempdir().unwrap();
    let database = "dbm_cli_stall";
    psql(
        16,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
    psql(16, "postgres", &format!("CREATE DATABASE {database}"));
    psql(
        16,
        database,
        "CREATE TABLE t AS SELECT generate_series(1, 1000) AS g",
    );
    assert!(
        add_connection(dir.path(), "stuck", 16, database, &pg_password())
            .status
            .success()
    );

    let refused = run_dbm(
        dir.path(),
        &["backup", "run", "stuck", "--stall-after", "3x"],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("is not a duration"),
        "{}",
        text(&refused)
    );

    let lock = support::TableLock::hold(16, database);
    let started = Instant::now();
    let output = run_dbm(
        dir.path(),
        &["backup", "run", "stuck", "--stall-after", "20s", "--json"],
        None,
    );
    let took = started.elapsed();
    drop(lock);
    assert!(!output.status.success(), "{}", text(&output));
    let backup: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
    assert_eq!(backup["status"], "failed", "{backup}");
    let error = backup["errorMessage"].as_str().unwrap_or_default();
    assert!(
        error.contains("stopped after 20 seconds without data"),
        "{error}"
    );
    assert!(error.contains("for a lock held by pid "), "{error}");
    assert!(
        error.contains("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"),
        "{error}"
    );
    assert!(
        took >= Duration::from_secs(20) && took < Duration::from_secs(90),
        "{took:?}"
    );
    assert!(
        partials(&dir.path().join("backups")).is_empty(),
        "no partial file is left"
    );
    psql(
        16,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
}

#[test]
fn a_server_that_is_not_there_fails_the_backup_at_once_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let added = run_dbm(
        dir.path(),
        &[
            "connection",
            "add",
            "--name",
            "gone",
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
        Some("secret\n"),
    );
    assert!(added.status.success(), "{}", text(&added));
    let started = Instant::now();
    let output = run_dbm(
        dir.path(),
        &["backup", "run", "gone", "--stall-after", "20s", "--json"],
        None,
    );
    assert!(!output.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let backup: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
    assert_eq!(backup["status"], "failed", "{backup}");
    let error = backup["errorMessage"].as_str().unwrap_or_default();
    assert!(error.contains(&port), "{error}");
    assert!(
        error.to_lowercase().contains("nothing is listening")
            || error.to_lowercase().contains("refused"),
        "{error}"
    );
    assert!(partials(&dir.path().join("backups")).is_empty());
}
