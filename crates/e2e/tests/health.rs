//! An overdue connection in the real app: a red card first on the Dashboard, exactly one
//! desktop notification (a second start within the day sends none), and a backup clears it.

mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::App;

fn dbm(data_dir: &Path, args: &[&str], stdin: Option<&str>) {
    let mut child = Command::new(support::cli_binary())
        .args(args)
        .env("DBM_DATA_DIR", data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run dbm");
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        input.write_all(text.as_bytes()).expect("write dbm's stdin");
    }
    assert!(child.wait().expect("dbm ends").success(), "dbm {args:?}");
}

/// Every Notify call on the session bus from now until `stop`.
fn monitor() -> Child {
    Command::new("dbus-monitor")
        .args([
            "--session",
            "interface='org.freedesktop.Notifications',member='Notify'",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-monitor (scripts/testenv installs dbus)")
}

fn stop(mut monitor: Child) -> String {
    let _ = monitor.kill();
    let _ = monitor.wait();
    let mut seen = String::new();
    if let Some(mut out) = monitor.stdout.take() {
        let _ = out.read_to_string(&mut seen);
    }
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overdue_connection_is_shown_first_notified_once_and_cleared_by_a_backup() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let name = format!("orders {}", std::process::id());
    let port = std::env::var("DBM_PG17_PORT").unwrap_or_else(|_| "54317".into());
    let password = std::env::var("DBM_PG_PASSWORD").unwrap_or_else(|_| "postgres".into());
    dbm(
        data_dir.path(),
        &[
            "connection",
            "add",
            "--name",
            &name,
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
        Some(&format!("{password}\n")),
    );
    dbm(
        data_dir.path(),
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
    // As if the app had been closed for three hours since the schedule was made.
    let made = (chrono::Utc::now() - chrono::Duration::minutes(3 * 60 + 1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    rusqlite::Connection::open(data_dir.path().join("dbm.sqlite3"))
        .unwrap()
        .execute("UPDATE schedule SET created_at = ?1", [made])
        .unwrap();

    eprintln!("health e2e: launching the app");
    let first = monitor();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let app = App::launch(data_dir.path()).await;
    eprintln!("health e2e: reading the card");
    let card = app.text("[data-testid=overdue-cards] [role=alert]").await;
    assert!(card.contains(&name), "{card}");
    assert!(card.contains("no backup yet"), "{card}");
    eprintln!("health e2e: screenshot");
    app.screenshot("dashboard-overdue").await;
    // The check runs as the app starts; leave the notification time to arrive on a busy machine.
    tokio::time::sleep(Duration::from_secs(4)).await;
    eprintln!("health e2e: first notifications read");
    let seen = stop(first);
    let told = format!("{name}: no backup yet");
    assert_eq!(seen.matches(&told).count(), 1, "one notification: {seen}");
    app.close().await;

    // One instance at a time (the single-instance plugin): the first must be gone.
    wait_for_no_app();
    eprintln!("health e2e: second launch");
    // Started again within the day: the card, but no second notification.
    let second = monitor();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let app = App::launch(data_dir.path()).await;
    app.find("[data-testid=overdue-cards] [role=alert]").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let seen = stop(second);
    assert_eq!(seen.matches(&told).count(), 0, "told already today: {seen}");

    eprintln!("health e2e: backing up");
    // A good backup clears it.
    app.click("[data-testid=nav-connections]").await;
    assert_eq!(app.back_up_now(&name).await, "completed");
    app.click("[data-testid=nav-dashboard]").await;
    eprintln!("health e2e: waiting for the card to go");
    app.wait_gone("[data-testid=overdue-cards] [role=alert]")
        .await;
    // Its backup is on the Dashboard's history now.
    eprintln!("health e2e: history");
    app.find("[data-testid=history-chart]").await;
    app.screenshot("dashboard-history").await;
    app.close().await;
}

/// Waits until no app process is left (closing the window leaves the app in the tray a moment
/// longer; a second start would hand over to it and exit).
fn wait_for_no_app() {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let running = Command::new("pgrep")
            .args(["-x", "dbm-app"])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !running {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the first app never ended"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
