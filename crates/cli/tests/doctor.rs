//! `dbm doctor` against the real machine: Docker, its postgres images, the keyring, and the
//! failures it must name without touching anything.

use std::path::Path;
use std::process::{Command, Output};

fn dbm(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dbm"));
    command
        .args(args)
        .env("DBM_DATA_DIR", data_dir)
        .env_remove("DBM_LOG");
    command
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn doctor_reports_docker_its_images_the_keyring_and_the_database_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let output = dbm(dir.path(), &["doctor", "--json"]).output().unwrap();
    let report = json_of(&output);
    assert!(output.status.success(), "{report:#}");

    assert_eq!(report["dataDir"], dir.path().display().to_string());
    assert_eq!(report["appVersion"], env!("CARGO_PKG_VERSION"));
    assert!(report["database"]["problem"].is_null(), "{report:#}");
    assert_eq!(
        report["database"]["schemaVersion"],
        report["database"]["supportedSchemaVersion"]
    );
    assert!(report["docker"]["problem"].is_null(), "{report:#}");
    assert!(report["docker"]["version"]
        .as_str()
        .is_some_and(|v| !v.is_empty()));
    assert!(report["keyring"]["problem"].is_null(), "{report:#}");

    let images: Vec<&str> = report["postgresImages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["reference"].as_str())
        .collect();
    for major in 13..=18 {
        let image = format!("postgres:{major}");
        assert!(images.contains(&image.as_str()), "{image} in {images:?}");
    }
    for binary in report["localPgDumps"].as_array().unwrap() {
        assert!(Path::new(binary["path"].as_str().unwrap()).is_file());
        assert!(binary["major"].as_u64().unwrap() >= 9);
    }
}

#[test]
fn doctor_prints_a_readable_report() {
    let dir = tempfile::tempdir().unwrap();
    let output = dbm(dir.path(), &["doctor"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("Docker        ok, Docker "), "{text}");
    assert!(text.contains("postgres:13"), "{text}");
    assert!(text.contains("Keyring       ok"), "{text}");
}

#[test]
fn docker_not_running_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("no-docker.sock");
    let output = dbm(dir.path(), &["doctor", "--json"])
        .env("DOCKER_HOST", format!("unix://{}", socket.display()))
        .output()
        .unwrap();
    let report = json_of(&output);
    assert!(!output.status.success());
    assert_eq!(
        report["docker"]["problem"]["code"], "docker_not_running",
        "{report:#}"
    );
    let fix = report["docker"]["problem"]["fix"].as_str().unwrap();
    assert!(
        fix.contains("Start Docker") && fix.contains("local pg_dump"),
        "{fix}"
    );
    assert!(
        report["database"]["problem"].is_null(),
        "the rest still works"
    );
}

#[test]
fn no_keyring_service_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = dbm(dir.path(), &["doctor", "--json"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let report = json_of(&output);
    assert!(!output.status.success());
    let problem = &report["keyring"]["problem"];
    assert_eq!(problem["code"], "keyring_unavailable", "{report:#}");
    assert!(
        problem["fix"].as_str().unwrap().contains("keyring"),
        "{problem}"
    );
}

#[test]
fn a_newer_database_is_refused_named_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("dbm.sqlite3");
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute_batch("CREATE TABLE from_the_future(x); PRAGMA user_version = 999;")
        .unwrap();
    let before = std::fs::read(&database).unwrap();
    let output = dbm(dir.path(), &["doctor"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(text.contains("database_newer_schema"), "{text}");
    assert!(text.contains("Update DB Backup Manager"), "{text}");
    assert_eq!(std::fs::read(&database).unwrap(), before);
}

#[test]
fn a_damaged_database_is_refused_named_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("dbm.sqlite3");
    let garbage = vec![0x5au8; 5000];
    std::fs::write(&database, &garbage).unwrap();
    let output = dbm(dir.path(), &["doctor", "--json"]).output().unwrap();
    let report = json_of(&output);
    assert!(!output.status.success());
    assert_eq!(
        report["database"]["problem"]["code"], "database_corrupt",
        "{report:#}"
    );
    assert_eq!(std::fs::read(&database).unwrap(), garbage);
}

#[test]
fn an_unusable_data_dir_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let output = dbm(&file.join("data"), &["doctor", "--json"])
        .output()
        .unwrap();
    let report = json_of(&output);
    assert!(!output.status.success());
    assert_eq!(
        report["database"]["problem"]["code"], "data_dir_unusable",
        "{report:#}"
    );
    assert!(report["database"]["problem"]["fix"]
        .as_str()
        .unwrap()
        .contains("DBM_DATA_DIR"));
}
