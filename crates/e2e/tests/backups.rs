//! A backup run from the window: Back up now on a connection, live result, and the Backups page
//! listing it with its details.

mod support;

use support::App;

#[tokio::test(flavor = "multi_thread")]
async fn back_up_now_makes_a_completed_backup_that_the_backups_page_lists() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let app = App::launch(data_dir.path()).await;
    app.add_connection("backup me", 17, "postgres").await;
    let row = "[data-testid=connection-row][data-name='backup me']";
    let state = app.back_up_now("backup me").await;
    let result = app
        .text(&format!("{row} [data-testid=connection-backup-result]"))
        .await;
    assert_eq!(state, "completed", "{result}");
    app.screenshot("connection-backed-up").await;
    let version = app
        .text(&format!("{row} [data-testid=connection-version]"))
        .await;
    assert!(
        version.contains("17."),
        "the backup recorded the server's version: {version}"
    );

    app.click("[data-testid=nav-backups]").await;
    app.find("[data-testid=backups-table]").await;
    let status = app
        .wait_for_attr("[data-testid=backup-row]", "data-status", &["completed"])
        .await;
    assert_eq!(status, "completed");
    app.click("[data-testid=backup-row] [data-testid=backup-expand]")
        .await;
    let details = app.text("[data-testid=backup-details]").await;
    assert!(
        details.contains("postgres:17"),
        "details name the image: {details}"
    );
    app.screenshot("backups").await;
    app.close().await;

    let files: Vec<_> = walk(&data_dir.path().join("backups"));
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with(".dump")),
        "{files:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
