//! `dbm backup verify --restore` proves a Chinook backup of each major 13–18 restorable; the
//! rest of the library through the CLI: filters, export, delete, scan, restore, stats, prune.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{add_connection, pg_password, port, psql, run_dbm, text};

fn json(data_dir: &Path, args: &[&str]) -> Value {
    let output = run_dbm(data_dir, args, None);
    assert!(output.status.success(), "{args:?}: {}", text(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A fresh `database` on server `major` holding Chinook, loaded with psql.
fn chinook(major: u32, database: &str) {
    psql(
        major,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
    psql(major, "postgres", &format!("CREATE DATABASE {database}"));
    let sql = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/chinook/chinook.sql"
    ))
    .unwrap();
    let body = sql.split_once("\\c chinook;").unwrap().1;
    let mut child = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port(major),
            "-U",
            "postgres",
            "-d",
            database,
        ])
        .args(["-q", "-v", "ON_ERROR_STOP=1"])
        .env("PGPASSWORD", pg_password())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

fn backup(data_dir: &Path, connection: &str, format: &str) -> Value {
    json(
        data_dir,
        &[
            "backup", "run", connection, "--format", format, "--engine", "docker", "--json",
        ],
    )
}

#[test]
fn verify_with_restore_proves_chinook_restorable_from_each_major() {
    let dir = tempfile::tempdir().unwrap();
    for major in 13..=18 {
        let database = format!("cli_verify_{major}");
        chinook(major, &database);
        let name = format!("chinook {major}");
        let added = add_connection(dir.path(), &name, major, &database, &pg_password());
        assert!(added.status.success(), "{}", text(&added));
        let made = backup(dir.path(), &name, "custom");
        assert_eq!(made["status"], "completed");
        let id = made["id"].to_string();
        let verified = json(
            dir.path(),
            &["backup", "verify", &id, "--restore", "--json"],
        );
        assert_eq!(verified["ok"], true, "{major}: {verified:#}");
        let tables = verified["restoredTables"].as_array().unwrap();
        assert_eq!(tables.len(), 11, "{major}");
        assert!(
            tables.iter().all(|t| t["rows"] == t["sourceRows"]),
            "{major}: {tables:?}"
        );
        let plain = run_dbm(dir.path(), &["backup", "verify", &id, "--restore"], None);
        assert!(text(&plain).contains("is good"), "{}", text(&plain));
        psql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        );
    }
}

#[test]
fn the_library_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let major = 17;
    let database = "cli_library";
    chinook(major, database);
    let added = add_connection(data, "lib", major, database, &pg_password());
    assert!(added.status.success(), "{}", text(&added));
    let custom = backup(data, "lib", "custom");
    let plain = backup(data, "lib", "plain");
    // Refused before anything runs (alias --compression works too).
    let refused = run_dbm(
        data,
        &[
            "backup",
            "run",
            "lib",
            "--format",
            "tar",
            "--compression",
            "gzip:5",
        ],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("tar format cannot be compressed"),
        "{}",
        text(&refused)
    );
    assert_eq!(
        json(data, &["backup", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Filters.
    let completed = json(data, &["backup", "list", "--status", "completed", "--json"]);
    assert_eq!(completed.as_array().unwrap().len(), 2);
    let none = json(data, &["backup", "list", "--from", "2999-01-01", "--json"]);
    assert_eq!(none, serde_json::json!([]));
    let bad = run_dbm(data, &["backup", "list", "--status", "done"], None);
    assert!(text(&bad).contains("is not a status"), "{}", text(&bad));

    // Export: a checked copy; not over itself, not into a read-only folder.
    let out = tempfile::tempdir().unwrap();
    let id = custom["id"].to_string();
    let copy = json(
        data,
        &[
            "backup",
            "export",
            &id,
            out.path().to_str().unwrap(),
            "--json",
        ],
    );
    let copied = copy["copy"].as_str().unwrap();
    assert_eq!(
        std::fs::read(copied).unwrap(),
        std::fs::read(custom["filePath"].as_str().unwrap()).unwrap()
    );
    let over = run_dbm(
        data,
        &[
            "backup",
            "export",
            &id,
            custom["filePath"].as_str().unwrap(),
        ],
        None,
    );
    assert!(!over.status.success());
    assert!(
        text(&over).contains("is the backup itself"),
        "{}",
        text(&over)
    );
    let readonly = run_dbm(
        data,
        &["backup", "export", &id, "/proc/dbm-copy.dump"],
        None,
    );
    assert!(!readonly.status.success());
    assert!(
        text(&readonly).contains("copy to /proc/dbm-copy.dump failed"),
        "{}",
        text(&readonly)
    );

    // Restore the plain backup into a new database, then refuse the same without --create.
    let restored_db = "cli_library_restored";
    psql(
        major,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {restored_db} WITH (FORCE)"),
    );
    let plain_id = plain["id"].to_string();
    let outcome = json(
        data,
        &[
            "restore",
            &plain_id,
            "--to",
            "lib",
            "--database",
            restored_db,
            "--create",
            "--json",
        ],
    );
    assert_eq!(outcome["created"], true);
    assert_eq!(
        psql(major, restored_db, "SELECT count(*) FROM track"),
        "3503"
    );
    let again = run_dbm(
        data,
        &["restore", &id, "--to", "lib", "--database", restored_db],
        None,
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("already holds"), "{}", text(&again));
    psql(
        major,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {restored_db} WITH (FORCE)"),
    );

    // Verify by restore without Docker's throwaway server: a scratch database on the server.
    let on_server = json(
        data,
        &["backup", "verify", &id, "--restore-on", "lib", "--json"],
    );
    assert_eq!(on_server["ok"], true, "{on_server:#}");
    assert_eq!(
        psql(
            major,
            "postgres",
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbm_verify_%'"
        ),
        "0"
    );

    // Stats, then delete twice and ids that do not exist.
    let stats = json(data, &["stats", "--json"]);
    assert_eq!(stats["completed"], 2);
    assert_eq!(stats["connections"][0]["name"], "lib");
    let deleted = json(data, &["backup", "delete", &id, "--json"]);
    assert_eq!(deleted["fileRemoved"], true);
    let twice = run_dbm(data, &["backup", "delete", &id], None);
    assert!(!twice.status.success());
    assert!(
        text(&twice).contains(&format!("no backup {id}")),
        "{}",
        text(&twice)
    );
    let unknown = run_dbm(data, &["backup", "verify", "424242"], None);
    assert!(
        text(&unknown).contains("no backup 424242"),
        "{}",
        text(&unknown)
    );

    // A scan notices the plain backup's file going away.
    std::fs::remove_file(plain["filePath"].as_str().unwrap()).unwrap();
    let scan = run_dbm(data, &["backup", "scan", "--json"], None);
    assert!(!scan.status.success(), "missing files make the scan fail");
    let report: Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(report["missing"], serde_json::json!([plain["id"]]));
    let shown = json(data, &["backup", "show", &plain_id, "--json"]);
    assert_eq!(shown["fileState"], "missing");

    // Retention preview and prune on a schedule.
    let schedule = json(
        data,
        &[
            "schedule",
            "add",
            "--connection",
            "lib",
            "--cron",
            "@daily",
            "--keep-last",
            "1",
            "--json",
        ],
    );
    let name = schedule["name"].as_str().unwrap().to_string();
    let plan = json(data, &["schedule", "prune", &name, "--dry-run", "--json"]);
    assert_eq!(
        plan["delete"],
        serde_json::json!([]),
        "manual backups are not the schedule's"
    );
    psql(
        major,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
}

#[test]
fn removing_a_connection_keeps_its_backups_listed_unless_asked_to_delete_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    for name in ["kept", "dropped"] {
        let added = add_connection(data, name, 15, "postgres", &pg_password());
        assert!(added.status.success(), "{}", text(&added));
        backup(data, name, "custom");
    }
    let kept = run_dbm(data, &["connection", "remove", "kept"], None);
    assert!(kept.status.success(), "{}", text(&kept));
    assert!(text(&kept).contains("1 backup kept"), "{}", text(&kept));
    let dropped = json(
        data,
        &[
            "connection",
            "remove",
            "dropped",
            "--delete-backups",
            "--json",
        ],
    );
    assert_eq!(dropped["deletedBackups"], 1, "{dropped}");

    let list = json(data, &["backup", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["connectionName"], "kept");
    assert_eq!(list[0]["connectionRemoved"], true);
    let id = list[0]["id"].to_string();
    assert!(Path::new(list[0]["filePath"].as_str().unwrap()).exists());
    let verified = run_dbm(data, &["backup", "verify", &id], None);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(json(data, &["connection", "list", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
}
