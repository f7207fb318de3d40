//! The real app, driven like a person would: every page, the Dashboard's live status, and an
//! app that still opens when its database cannot be used.

mod support;

use support::App;

const PAGES: [(&str, &str); 6] = [
    ("dashboard", "Dashboard"),
    ("connections", "Connections"),
    ("schedules", "Schedules"),
    ("backups", "Backups"),
    ("storage", "Storage"),
    ("settings", "Settings"),
];

#[tokio::test(flavor = "multi_thread")]
async fn every_page_opens_and_the_dashboard_shows_docker_with_its_version() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let app = App::launch(data_dir.path()).await;

    let state = app
        .wait_for_attr(
            "[data-testid=status-docker]",
            "data-state",
            &["ok", "problem"],
        )
        .await;
    let docker_text = app
        .find("[data-testid=status-docker]")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert_eq!(
        state, "ok",
        "Docker should be reachable, the card says: {docker_text}"
    );
    assert!(
        docker_text.contains("Docker 2")
            || docker_text.contains("Docker 1")
            || docker_text.contains("Docker 3"),
        "the Docker card names the daemon's version: {docker_text}"
    );
    let database = app
        .wait_for_attr(
            "[data-testid=status-database]",
            "data-state",
            &["ok", "problem"],
        )
        .await;
    assert_eq!(database, "ok");
    let keyring = app
        .wait_for_attr(
            "[data-testid=status-keyring]",
            "data-state",
            &["ok", "problem"],
        )
        .await;
    assert_eq!(keyring, "ok", "the test session's keyring is unlocked");
    let data_dir_text = app
        .find("[data-testid=status-data-dir]")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        data_dir_text.contains(&data_dir.path().display().to_string()),
        "{data_dir_text}"
    );

    for (id, title) in PAGES {
        app.find(&format!("[data-testid=nav-{id}]"))
            .await
            .click()
            .await
            .expect("click nav");
        let heading = app.find("[data-testid=page-title]").await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while heading.text().await.unwrap_or_default() != title {
            assert!(
                std::time::Instant::now() < deadline,
                "page {title} did not open"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let current = app
            .find(&format!("[data-testid=nav-{id}]"))
            .await
            .attr("aria-current")
            .await
            .ok()
            .flatten();
        assert_eq!(
            current.as_deref(),
            Some("page"),
            "nav marks {title} as current"
        );
        let shot = app.screenshot(id).await;
        assert!(std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 1000);
    }
    app.close().await;

    // The app created its database with the current schema in the chosen data dir.
    assert!(data_dir.path().join("dbm.sqlite3").is_file());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_database_is_reported_and_left_untouched_while_the_app_still_opens() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let database = data_dir.path().join("dbm.sqlite3");
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&database, &garbage).expect("write a damaged database");

    let app = App::launch(data_dir.path()).await;
    let state = app
        .wait_for_attr(
            "[data-testid=status-database]",
            "data-state",
            &["ok", "problem"],
        )
        .await;
    let text = app
        .find("[data-testid=status-database]")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert_eq!(state, "problem", "{text}");
    assert!(text.contains("not a readable SQLite database"), "{text}");
    assert!(
        text.contains("left untouched"),
        "the card says what to do: {text}"
    );
    app.screenshot("dashboard-damaged-database").await;
    app.close().await;

    assert_eq!(
        std::fs::read(&database).expect("read back"),
        garbage,
        "the file was not modified"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_refuse_a_relative_backup_folder_where_it_was_typed_and_save_a_good_one() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let app = App::launch(data_dir.path()).await;
    app.click("[data-testid=nav-settings]").await;
    app.fill("[data-testid=setting-backup-root]", "relative/folder")
        .await;
    app.click("[data-testid=settings-save]").await;
    let error = app.text("[data-testid=error-backup-root]").await;
    assert!(error.contains("full path"), "{error}");

    let chosen = data_dir.path().join("chosen backups");
    app.fill(
        "[data-testid=setting-backup-root]",
        &chosen.display().to_string(),
    )
    .await;
    app.click("[data-testid=setting-engine-local]").await;
    app.click("[data-testid=settings-save]").await;
    app.find("[data-testid=settings-saved]").await;
    app.screenshot("settings-saved").await;
    app.close().await;
    assert!(chosen.is_dir(), "the chosen folder was created");
}
