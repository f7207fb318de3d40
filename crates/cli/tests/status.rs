//! `dbm status`: a scheduled connection without a recent good backup is overdue, exit 1, until
//! a good backup clears it; `dbm doctor` says so too; `--alert-after` is read and checked.

mod support;

use std::path::Path;

use support::{add_connection, pg_password, run_dbm, text};

fn status(dir: &Path) -> (bool, serde_json::Value) {
    let output = run_dbm(dir, &["status", "--json"], None);
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
    (output.status.success(), json)
}

/// Makes every schedule look created `hours` ago, as if the app had been closed since.
fn age_schedules(dir: &Path, hours: i64) {
    let made = (chrono::Utc::now() - chrono::Duration::hours(hours))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    rusqlite::Connection::open(dir.join("dbm.sqlite3"))
        .unwrap()
        .execute("UPDATE schedule SET created_at = ?1", [made])
        .unwrap();
}

#[test]
fn a_connection_without_a_recent_good_backup_is_overdue_until_one_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, json) = status(dir.path());
    assert!(ok, "nothing is scheduled, nothing is expected: {json}");
    assert_eq!(json["connections"], serde_json::json!([]));

    let name = format!("status-{}", std::process::id());
    assert!(
        add_connection(dir.path(), &name, 17, "postgres", &pg_password())
            .status
            .success()
    );
    let added = run_dbm(
        dir.path(),
        &[
            "schedule",
            "add",
            "--connection",
            &name,
            "--cron",
            "0 * * * *",
            "--tz",
            "UTC",
            "--paused",
        ],
        None,
    );
    assert!(added.status.success(), "{}", text(&added));
    let (ok, json) = status(dir.path());
    assert!(ok, "a schedule made just now is not overdue: {json}");

    age_schedules(dir.path(), 3);
    let (ok, json) = status(dir.path());
    assert!(!ok, "overdue exits 1: {json}");
    assert_eq!(json["overdue"], true);
    let entry = &json["connections"][0];
    assert_eq!(entry["connectionName"], name.as_str());
    assert_eq!(entry["overdue"], true);
    assert_eq!(
        entry["summary"],
        "no backup yet, 3 hours after its schedule was made"
    );
    let words = run_dbm(dir.path(), &["status"], None);
    assert!(!words.status.success());
    assert!(
        text(&words).contains(&format!("OVERDUE  {name}: no backup yet")),
        "{}",
        text(&words)
    );
    let doctor = run_dbm(dir.path(), &["doctor"], None);
    assert!(!doctor.status.success(), "{}", text(&doctor));
    assert!(
        text(&doctor).contains(&format!("OVERDUE {name}")),
        "{}",
        text(&doctor)
    );

    let backup = run_dbm(dir.path(), &["backup", "run", &name, "--json"], None);
    assert!(backup.status.success(), "{}", text(&backup));
    let (ok, json) = status(dir.path());
    assert!(ok, "a good backup clears it: {json}");
    assert_eq!(json["connections"][0]["overdue"], false);
    assert!(json["connections"][0]["summary"]
        .as_str()
        .unwrap()
        .starts_with("last good backup "));
}

#[test]
fn alert_after_is_read_as_a_duration_and_a_bad_one_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("alert-{}", std::process::id());
    assert!(
        add_connection(dir.path(), &name, 17, "postgres", &pg_password())
            .status
            .success()
    );
    for (bad, says) in [
        ("3x", "not a duration"),
        ("1m", "An alert after 60 seconds"),
    ] {
        let refused = run_dbm(
            dir.path(),
            &[
                "schedule",
                "add",
                "--connection",
                &name,
                "--cron",
                "@daily",
                "--alert-after",
                bad,
            ],
            None,
        );
        assert!(!refused.status.success(), "{bad}");
        assert!(text(&refused).contains(says), "{bad}: {}", text(&refused));
    }
    let listed = run_dbm(dir.path(), &["schedule", "list", "--json"], None);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&listed.stdout).unwrap(),
        serde_json::json!([])
    );

    let added = run_dbm(
        dir.path(),
        &[
            "schedule",
            "add",
            "--connection",
            &name,
            "--cron",
            "@daily",
            "--alert-after",
            "26h",
            "--json",
        ],
        None,
    );
    assert!(added.status.success(), "{}", text(&added));
    let schedule: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    assert_eq!(schedule["alertAfterSeconds"], 26 * 3600);
    let id = schedule["id"].to_string();
    let cleared = run_dbm(
        dir.path(),
        &["schedule", "update", &id, "--alert-after", "none", "--json"],
        None,
    );
    assert!(cleared.status.success(), "{}", text(&cleared));
    let schedule: serde_json::Value = serde_json::from_slice(&cleared.stdout).unwrap();
    assert_eq!(schedule["alertAfterSeconds"], serde_json::Value::Null);
}

/// Records a proof as the scheduler does when it has restored a backup.
fn record_proof(dir: &Path, schedule: i64, ok: bool, error: Option<&str>) {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    rusqlite::Connection::open(dir.join("dbm.sqlite3"))
        .unwrap()
        .execute(
            "INSERT INTO proof (schedule_id, started_at, finished_at, ok, error)
             VALUES (?1, ?2, ?2, ?3, ?4)",
            rusqlite::params![schedule, now, ok, error],
        )
        .unwrap();
}

#[test]
fn new_schedules_verify_weekly_and_a_failed_proof_fails_status_until_one_passes() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("proof-{}", std::process::id());
    assert!(
        add_connection(dir.path(), &name, 17, "postgres", &pg_password())
            .status
            .success()
    );
    let refused = run_dbm(
        dir.path(),
        &[
            "schedule",
            "add",
            "--connection",
            &name,
            "--cron",
            "@daily",
            "--verify-every",
            "5m",
        ],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("Verifying by restore every 5 minutes is not possible"),
        "{}",
        text(&refused)
    );
    let added = run_dbm(
        dir.path(),
        &[
            "schedule",
            "add",
            "--connection",
            &name,
            "--cron",
            "@daily",
            "--json",
        ],
        None,
    );
    assert!(added.status.success(), "{}", text(&added));
    let schedule: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    assert_eq!(
        schedule["verifyEverySeconds"],
        7 * 24 * 3600,
        "weekly by default"
    );
    let id = schedule["id"].as_i64().unwrap();
    let backup = run_dbm(dir.path(), &["backup", "run", &name], None);
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(status(dir.path()).0);

    record_proof(
        dir.path(),
        id,
        false,
        Some("sha256: the file changed since it was written"),
    );
    let (ok, json) = status(dir.path());
    assert!(!ok, "not proven exits 1: {json}");
    assert_eq!(json["notProven"], true);
    assert_eq!(
        json["connections"][0]["notProven"],
        "sha256: the file changed since it was written"
    );
    let words = run_dbm(dir.path(), &["status"], None);
    assert!(
        text(&words).contains(&format!(
            "UNPROVEN {name}: the newest backup did not restore"
        )),
        "{}",
        text(&words)
    );
    let shown = run_dbm(dir.path(), &["schedule", "show", &id.to_string()], None);
    assert!(
        text(&shown).contains("NOT proven: sha256"),
        "{}",
        text(&shown)
    );

    record_proof(dir.path(), id, true, None);
    let (ok, json) = status(dir.path());
    assert!(ok, "a passing proof clears it: {json}");
    assert!(json["connections"][0]["provenAt"].is_string(), "{json}");

    let never = run_dbm(
        dir.path(),
        &[
            "schedule",
            "update",
            &id.to_string(),
            "--verify-every",
            "none",
            "--json",
        ],
        None,
    );
    let schedule: serde_json::Value = serde_json::from_slice(&never.stdout).unwrap();
    assert_eq!(schedule["verifyEverySeconds"], serde_json::Value::Null);
}
