//! The backup library from the window: a backup verified by restore, a checked copy saved,
//! restored into a new database, then deleted.

mod support;

use support::App;

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_is_verified_copied_restored_and_deleted_from_the_backups_page() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let copies = tempfile::tempdir().expect("a folder for the copy");
    let restored = format!("e2e_restored_{}", std::process::id());
    let app = App::launch(data_dir.path()).await;
    app.add_connection("library db", 15, "postgres").await;
    let state = app.back_up_now("library db").await;
    assert_eq!(state, "completed");

    app.click("[data-testid=nav-backups]").await;
    app.wait_for_attr("[data-testid=backup-row]", "data-status", &["completed"])
        .await;
    let total = app.text("[data-testid=backups-total]").await;
    assert!(total.contains('1'), "{total}");
    app.click("[data-testid=backup-row] [data-testid=backup-expand]")
        .await;

    app.click("[data-testid=backup-verify-restore]").await;
    let ok = app
        .wait_for_attr(
            "[data-testid=backup-verification]",
            "data-ok",
            &["true", "false"],
        )
        .await;
    let verification = app.text("[data-testid=backup-verification]").await;
    assert_eq!(ok, "true", "{verification}");
    app.screenshot("backup-verified").await;

    app.click("[data-testid=backup-save-copy]").await;
    app.fill(
        "[data-testid=backup-copy-destination]",
        &copies.path().display().to_string(),
    )
    .await;
    app.click("[data-testid=backup-copy-save]").await;
    let copied = app.text("[data-testid=backup-copy-result]").await;
    assert!(
        copied.contains(&copies.path().display().to_string()),
        "{copied}"
    );
    app.screenshot("backup-copy").await;
    let files: Vec<_> = std::fs::read_dir(copies.path())
        .expect("the copy folder")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1, "one copy");
    app.click("[data-testid=dialog-close]").await;

    app.click("[data-testid=backup-restore]").await;
    app.click("[data-testid=restore-mode-new]").await;
    app.fill("[data-testid=restore-database]", &restored).await;
    app.click("[data-testid=restore-start]").await;
    let restore_state = app
        .wait_for_attr(
            "[data-testid=restore-result]",
            "data-state",
            &["done", "failed"],
        )
        .await;
    let outcome = app.text("[data-testid=restore-result]").await;
    app.screenshot("backup-restored").await;
    assert_eq!(restore_state, "done", "{outcome}");
    assert!(outcome.contains(&restored), "{outcome}");
    app.click("[data-testid=dialog-close]").await;

    app.click("[data-testid=backup-delete]").await;
    app.click("[data-testid=backup-delete-confirm]").await;
    app.find("[data-testid=backups-empty]").await;
    app.screenshot("backups-after-delete").await;
    app.close().await;
    drop_database(15, &restored);
}

fn drop_database(major: u32, name: &str) {
    let port = std::env::var(format!("DBM_PG{major}_PORT"))
        .unwrap_or_else(|_| (54300 + major).to_string());
    let _ = std::process::Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
        ])
        .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .env(
            "PGPASSWORD",
            std::env::var("DBM_PG_PASSWORD").unwrap_or_else(|_| "postgres".into()),
        )
        .status();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_connections_backups_stay_on_the_backups_page_under_its_name() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let app = App::launch(data_dir.path()).await;
    app.add_connection("retired db", 15, "postgres").await;
    let row = "[data-testid=connection-row][data-name='retired db']";
    let state = app.back_up_now("retired db").await;
    assert_eq!(state, "completed");

    app.click(&format!("{row} [data-testid=connection-delete]"))
        .await;
    app.find(&format!("{row} [data-testid=connection-delete-backups]"))
        .await;
    let prompt = app.text(&format!("{row} .confirm")).await;
    assert!(
        prompt.contains("Its backup (") && prompt.contains("stays listed under its name"),
        "{prompt}"
    );
    app.screenshot("connection-remove-prompt").await;
    app.click(&format!("{row} [data-testid=connection-delete-confirm]"))
        .await;
    app.wait_gone(row).await;

    app.click("[data-testid=nav-backups]").await;
    app.wait_for_attr("[data-testid=backup-row]", "data-status", &["completed"])
        .await;
    app.screenshot("backups-of-a-removed-connection").await;
    // The cell's title carries the full label (the cell itself may be cut short).
    app.wait_for_attr(
        "[data-testid=backup-row] .c-name",
        "title",
        &["retired db (removed)"],
    )
    .await;
    app.find("[data-testid=backup-row] [data-testid=backup-connection-removed]")
        .await;
    app.close().await;
}
