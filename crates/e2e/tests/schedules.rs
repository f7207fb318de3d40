//! Schedules from the window: a bad pattern is refused under its field, a 10-second schedule
//! previews its next runs, and the app's own scheduler (running while the window is open)
//! makes its backups; pause all shows its banner.

mod support;

use support::App;

#[tokio::test(flavor = "multi_thread")]
async fn a_ten_second_schedule_made_in_the_window_backs_up_through_the_apps_scheduler() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let app = App::launch(data_dir.path()).await;
    app.add_connection("scheduled db", 16, "postgres").await;

    app.click("[data-testid=nav-schedules]").await;
    app.find("[data-testid=scheduler-status]").await;
    app.click("[data-testid=schedule-new]").await;
    app.fill("[data-testid=schedule-name]", "every ten seconds")
        .await;
    app.fill("[data-testid=schedule-cron]", "61 * * * *").await;
    let error = app.text("[data-testid=schedule-cron-error]").await;
    assert!(error.contains("not a usable schedule"), "{error}");
    app.fill("[data-testid=schedule-timezone]", "Mars/Olympus")
        .await;
    let zone_error = app.text("[data-testid=schedule-timezone-error]").await;
    assert!(zone_error.contains("not a time zone"), "{zone_error}");

    app.fill("[data-testid=schedule-timezone]", "UTC").await;
    app.fill("[data-testid=schedule-cron]", "*/10 * * * * *")
        .await;
    let description = app.text("[data-testid=schedule-preview-description]").await;
    assert!(description.contains("10 seconds"), "{description}");
    app.find("[data-testid=schedule-preview-run]:nth-of-type(5)")
        .await;
    app.screenshot("schedule-form").await;
    app.click("[data-testid=schedule-save]").await;

    let row = "[data-testid=schedule-row][data-name='every ten seconds']";
    let status = app
        .wait_for_attr(row, "data-last-status", &["completed", "failed"])
        .await;
    let text = app.text(row).await;
    assert_eq!(status, "completed", "{text}");
    app.screenshot("schedules").await;

    app.click("[data-testid=schedules-pause-all]").await;
    app.find("[data-testid=schedules-paused-banner]").await;
    app.screenshot("schedules-paused").await;

    app.click("[data-testid=nav-backups]").await;
    let backup = app
        .wait_for_attr("[data-testid=backup-row]", "data-status", &["completed"])
        .await;
    assert_eq!(backup, "completed");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn beside_a_running_dbm_daemon_the_app_runs_no_second_scheduler_and_says_so() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let data_dir = tempfile::tempdir().expect("temp data dir");
    let mut daemon = Command::new(support::cli_binary())
        .arg("daemon")
        .env("DBM_DATA_DIR", data_dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbm daemon starts");
    let mut first = String::new();
    BufReader::new(daemon.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the daemon's first line");
    assert!(first.contains("running the schedules"), "{first}");

    let app = App::launch(data_dir.path()).await;
    app.click("[data-testid=nav-schedules]").await;
    let note = app.text("[data-testid=scheduler-note]").await;
    app.screenshot("schedules-daemon-note").await;
    app.close().await;
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let stopped = daemon.wait().expect("the daemon stops");
    assert!(
        note.contains(&format!("dbm daemon (pid {})", daemon.id())),
        "{note}"
    );
    assert!(stopped.success());
}
