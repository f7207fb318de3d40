//! `dbm daemon` for real: a 6-field schedule every 10 s against a real server through the
//! Docker runner makes backups until SIGTERM; a second daemon is refused; a fire while the
//! connection is still being backed up is skipped and recorded; SIGTERM cancels the running
//! backup cleanly (no partial, recorded cancelled) and exits 0.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Timelike, Utc};
use serde_json::Value;
use support::{add_connection, dbm_command, partials, pg_password, psql, run_dbm, text};

const MAJOR: u32 = 16;

fn json(data_dir: &Path, args: &[&str]) -> Value {
    let output = run_dbm(data_dir, args, None);
    assert!(output.status.success(), "{args:?}: {}", text(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn backups(data_dir: &Path) -> Vec<Value> {
    json(data_dir, &["backup", "list", "--json", "--limit", "100"])
        .as_array()
        .unwrap()
        .clone()
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// The daemon's stdout, line by line, gathered on a thread.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

#[test]
fn the_daemon_backs_up_every_ten_seconds_skips_a_busy_fire_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let database = "dbm_cli_daemon";
    psql(
        MAJOR,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
    psql(MAJOR, "postgres", &format!("CREATE DATABASE {database}"));
    psql(
        MAJOR,
        database,
        "CREATE TABLE t AS SELECT generate_series(1, 1000) AS g",
    );
    let added = add_connection(data, "daemon db", MAJOR, database, &pg_password());
    assert!(added.status.success(), "{}", text(&added));
    let schedule = json(
        data,
        &[
            "schedule",
            "add",
            "--connection",
            "daemon db",
            "--name",
            "every 10 s",
            "--cron",
            "*/10 * * * * *",
            "--tz",
            "UTC",
            "--json",
        ],
    );
    assert_eq!(schedule["description"], "every 10 seconds");

    let mut daemon = dbm_command(data)
        .arg("daemon")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut daemon);
    let first = lines.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(first.contains("running the schedules"), "{first}");

    // Only one scheduler per data dir.
    let second = run_dbm(data, &["daemon"], None);
    assert!(!second.status.success());
    assert!(
        text(&second).contains(&format!("already run by dbm daemon (pid {})", daemon.id())),
        "{}",
        text(&second)
    );

    wait_until("two completed backups", Duration::from_secs(60), || {
        backups(data)
            .iter()
            .filter(|b| b["status"] == "completed")
            .count()
            >= 2
    });
    for backup in backups(data).iter().filter(|b| b["status"] == "completed") {
        assert_eq!(backup["trigger"], "schedule");
        assert_eq!(backup["scheduleId"], schedule["id"]);
        assert_eq!(backup["runner"], "docker", "{backup}");
        assert!(
            backup["runnerDetail"]
                .as_str()
                .unwrap()
                .contains(&format!("postgres:{MAJOR}")),
            "{backup}"
        );
        // Started within a second or so of a 10-second mark (connection set-up included).
        let started = instant(&backup["startedAt"]);
        assert!(
            started.second() % 10 < 2,
            "started {started}, not near a 10 s mark"
        );
    }
    let shown = json(data, &["schedule", "show", "every 10 s", "--json"]);
    let last = instant(&shown["schedule"]["lastRunAt"]);
    let next = instant(&shown["schedule"]["nextRunAt"]);
    assert_eq!(next.second() % 10, 0, "{next}");
    assert_eq!(next.nanosecond(), 0, "{next}");
    assert!(
        next > last && next - last <= chrono::TimeDelta::seconds(10),
        "{last} {next}"
    );
    assert_eq!(shown["schedule"]["lastStatus"], "completed");

    // Hold a lock so the next backup waits; the fire after it finds the connection busy.
    let lock = support::TableLock::hold(MAJOR, database);
    wait_until("a fire skipped as busy", Duration::from_secs(40), || {
        let shown = json(data, &["schedule", "show", "every 10 s", "--json"]);
        shown["missed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["reason"] == "busy")
    });
    let running: Vec<Value> = backups(data)
        .into_iter()
        .filter(|b| b["status"] == "running")
        .collect();
    assert_eq!(running.len(), 1, "one backup of the connection at a time");

    // SIGTERM: the waiting backup is cancelled cleanly and the daemon exits 0.
    let killed = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the daemon did not stop");
        std::thread::sleep(Duration::from_millis(100));
    };
    lock.release();
    let said: Vec<String> = lines.try_iter().collect();
    assert!(status.success(), "{said:?}");
    assert!(said.iter().any(|l| l.contains("stopped.")), "{said:?}");

    let cancelled = backups(data)
        .into_iter()
        .find(|b| b["id"] == running[0]["id"])
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert!(backups(data).iter().all(|b| b["status"] != "running"));
    assert!(partials(&data.join("backups")).is_empty());
    // Nothing fires once stopped.
    let count = backups(data).len();
    std::thread::sleep(Duration::from_secs(11));
    assert_eq!(backups(data).len(), count);
    psql(
        MAJOR,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
}
