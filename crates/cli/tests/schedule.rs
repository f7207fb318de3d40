//! `dbm schedule preview`: next runs in the schedule's zone across DST, and bad patterns refused.

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
