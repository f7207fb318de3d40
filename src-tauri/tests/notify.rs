//! Failure notifications reach the real notification daemon (dunst in the test session), and a
//! missing daemon never holds the caller. Run inside scripts/testenv/session.sh.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn a_notification_reaches_the_session_notification_daemon() {
    let mut monitor = Command::new("dbus-monitor")
        .args([
            "--session",
            "interface='org.freedesktop.Notifications',member='Notify'",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-monitor (scripts/testenv installs dbus)");
    tokio::time::sleep(Duration::from_millis(500)).await;

    let summary = format!("Backup of notify-test-{} failed", std::process::id());
    assert!(dbm_app::notify::send(summary.clone(), "pg_dump: error: test".into()).await);

    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = monitor.kill();
    let _ = monitor.wait();
    let mut seen = String::new();
    monitor
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut seen)
        .unwrap();
    assert!(seen.contains("member=Notify"), "{seen}");
    assert!(seen.contains(&summary), "{seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_notification_daemon_sending_gives_up_quickly() {
    // Own process (nextest): a bus address where nothing listens.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/dbm-test-bus",
    );
    let started = Instant::now();
    assert!(!dbm_app::notify::send("x".into(), "y".into()).await);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
