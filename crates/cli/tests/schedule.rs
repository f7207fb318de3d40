//! `dbm schedule …`: preview across DST, the add/update/pause/resume/remove lifecycle, bad input refused.

mod support;

use support::{run_dbm, text};

#[test]
fn preview_lists_the_next_runs_in_the_zone_across_the_spring_change() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_dbm(
        dir.path(),
        &[
            "schedule",
            "preview",
            "30 2 * * *",
            "--tz",
            "Europe/Berlin",
            "--from",
            "2026-03-28T00:00:00Z",
            "--count",
            "3",
            "--json",
        ],
        None,
    );
    assert!(output.status.success(), "{}", text(&output));
    let preview: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(preview["description"], "at 02:30, every day");
    assert_eq!(
        preview["runs"],
        serde_json::json!([
            "2026-03-28T02:30:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:30:00+02:00"
        ])
    );
}

#[test]
fn bad_patterns_and_zones_are_refused_with_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (vec!["61 * * * *"], "not a usable schedule"),
        (vec!["* * *"], "3 fields"),
        (vec![""], "empty"),
        (vec!["0 0 30 2 *"], "never fires"),
        (vec!["0 3 * * *", "--tz", "Mars/Olympus"], "not a time zone"),
        (vec!["0 3 * * *", "--tz", "Europe/Berln"], "Europe/Berlin"),
    ] {
        let all: Vec<&str> = ["schedule", "preview"]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        let output = run_dbm(dir.path(), &all, None);
        assert!(!output.status.success(), "{all:?}");
        assert!(
            text(&output).contains(expected),
            "{all:?}: {}",
            text(&output)
        );
    }
}

fn added_connection(data_dir: &std::path::Path) {
    let added = support::add_connection(data_dir, "db", 17, "postgres", &support::pg_password());
    assert!(added.status.success(), "{}", text(&added));
}

fn json(data_dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let output = run_dbm(data_dir, args, None);
    assert!(output.status.success(), "{args:?}: {}", text(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_schedule_is_added_listed_changed_paused_resumed_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    added_connection(data);
    let added = json(
        data,
        &[
            "schedule",
            "add",
            "--connection",
            "db",
            "--cron",
            "@daily",
            "--tz",
            "Europe/Berlin",
            "--format",
            "plain",
            "--compression",
            "zstd:5",
            "--keep-last",
            "7",
            "--json",
        ],
    );
    assert_eq!(
        added["name"], "db @daily",
        "named after connection and pattern"
    );
    assert_eq!(added["description"], "at 00:00, every day");
    assert_eq!(added["format"], "plain");
    assert_eq!(
        added["compression"],
        serde_json::json!({"method": "zstd", "level": 5})
    );
    assert_eq!(added["keepLast"], 7);
    let next = added["nextRunAt"].as_str().unwrap();
    // Midnight in Berlin is 22:00 or 23:00 UTC.
    assert!(
        next.contains("T22:00:00") || next.contains("T23:00:00"),
        "{next}"
    );

    let updated = json(
        data,
        &[
            "schedule",
            "update",
            "db @daily",
            "--name",
            "nightly",
            "--cron",
            "30 2 * * *",
            "--keep-last",
            "none",
            "--keep-days",
            "30",
            "--json",
        ],
    );
    assert_eq!(updated["name"], "nightly");
    assert_eq!(updated["keepLast"], serde_json::Value::Null);
    assert_eq!(updated["keepDays"], 30);
    assert_eq!(updated["format"], "plain", "fields not given stay");

    let paused = json(data, &["schedule", "pause", "nightly", "--json"]);
    assert_eq!(paused["isActive"], false);
    assert_eq!(paused["nextRunAt"], serde_json::Value::Null);
    let resumed = json(data, &["schedule", "resume", "nightly", "--json"]);
    assert_eq!(resumed["isActive"], true);
    assert!(resumed["nextRunAt"].is_string());

    let list = json(data, &["schedule", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let shown = json(data, &["schedule", "show", "nightly", "--json"]);
    assert_eq!(shown["nextRuns"].as_array().unwrap().len(), 5);
    assert!(shown["nextRuns"][0]
        .as_str()
        .unwrap()
        .contains("T02:30:00+0"));

    let removed = run_dbm(data, &["schedule", "remove", "nightly"], None);
    assert!(removed.status.success(), "{}", text(&removed));
    let again = run_dbm(data, &["schedule", "remove", "nightly"], None);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("no schedule \"nightly\""),
        "{}",
        text(&again)
    );
}

#[test]
fn bad_schedules_are_refused_and_save_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    added_connection(data);
    for (args, expected) in [
        (vec!["--cron", "61 * * * *"], "not a usable schedule"),
        (vec!["--cron", "0 0 30 2 *"], "never fires"),
        (
            vec!["--cron", "0 3 * * *", "--tz", "Mars/Olympus"],
            "not a time zone",
        ),
        (
            vec!["--cron", "0 3 * * *", "--keep-last", "0"],
            "Keep between 1",
        ),
        (
            vec!["--cron", "0 3 * * *", "--keep-days", "x"],
            "not a whole number",
        ),
        (
            vec!["--cron", "0 3 * * *", "--format", "zip"],
            "not a backup format",
        ),
        (vec![], "--cron is required"),
    ] {
        let all: Vec<&str> = ["schedule", "add", "--connection", "db"]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        let output = run_dbm(data, &all, None);
        assert!(!output.status.success(), "{all:?}");
        assert!(
            text(&output).contains(expected),
            "{all:?}: {}",
            text(&output)
        );
    }
    let unknown = run_dbm(
        data,
        &[
            "schedule",
            "add",
            "--connection",
            "gone",
            "--cron",
            "@daily",
        ],
        None,
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("gone"), "{}", text(&unknown));
    let list = json(data, &["schedule", "list", "--json"]);
    assert_eq!(list, serde_json::json!([]));

    // A deleted connection takes its schedules with it.
    json(
        data,
        &[
            "schedule",
            "add",
            "--connection",
            "db",
            "--cron",
            "@hourly",
            "--json",
        ],
    );
    let removed = run_dbm(data, &["connection", "remove", "db"], None);
    assert!(removed.status.success(), "{}", text(&removed));
    assert_eq!(
        json(data, &["schedule", "list", "--json"]),
        serde_json::json!([])
    );
}
