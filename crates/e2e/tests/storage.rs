//! Storage locations from the window: a folder added through the form (tested before it is
//! kept), listed with where it is, tested again from its row, its retention changed, then
//! removed; an S3 bucket (the test environment's s3s-fs) added; its SFTP server refused under
//! the host field by a name its host key is not known by, then added by its address; the
//! encryption key's panel. Then a backup copied there from its details (encrypted) and verified, a copy of it
//! refused once its file changed (shown failed in its details and on the Dashboard), and a
//! schedule's copy plan. Screenshots of each; with `GTK_THEME=Adwaita:dark` they are saved with
//! a `-dark` suffix.

mod support;

use support::App;

/// The screenshot's name, `-dark` added when the window runs with a dark GTK theme.
fn shot(name: &str) -> String {
    let dark = std::env::var("GTK_THEME")
        .map(|theme| theme.ends_with(":dark"))
        .unwrap_or(false);
    if dark {
        format!("{name}-dark")
    } else {
        name.to_string()
    }
}

/// Adds a folder location through the Storage page's form and waits for its row.
async fn add_folder(app: &App, name: &str, path: &std::path::Path) -> String {
    app.click("[data-testid=storage-add]").await;
    app.fill("[data-testid=location-name]", name).await;
    app.fill("[data-testid=location-path]", &path.display().to_string())
        .await;
    app.click("[data-testid=location-save]").await;
    let row = format!("[data-testid=location-row][data-name='{name}']");
    app.find(&row).await;
    row
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_location_added_in_the_form_is_tested_listed_and_removed() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let folder = tempfile::tempdir().expect("a folder to copy to");
    let app = App::launch(data_dir.path()).await;
    app.click("[data-testid=nav-storage]").await;
    app.find("[data-testid=storage-empty-add]").await;

    // The key exists from the start; never exported, the panel says what that means.
    let recipient = app.text("[data-testid=key-recipient]").await;
    assert!(recipient.trim().starts_with("age1"), "{recipient}");
    let warning = app.text("[data-testid=key-not-exported]").await;
    assert!(
        warning.contains(
            "Without an exported key, encrypted copies cannot be read on another computer."
        ),
        "{warning}"
    );
    app.screenshot(&shot("storage-empty")).await;

    // A relative folder is refused under its field; nothing is added.
    app.click("[data-testid=storage-add]").await;
    app.fill("[data-testid=location-name]", "e2e-folder").await;
    app.fill("[data-testid=location-path]", "relative/backups")
        .await;
    app.click("[data-testid=location-save]").await;
    let error = app.text("[data-testid=location-path-error]").await;
    assert!(error.contains("not an absolute path"), "{error}");
    app.screenshot(&shot("storage-add-folder-refused")).await;

    app.fill(
        "[data-testid=location-path]",
        &folder.path().display().to_string(),
    )
    .await;
    app.fill("[data-testid=location-keep-last]", "5").await;
    app.click("[data-testid=location-save]").await;
    let row = "[data-testid=location-row][data-name='e2e-folder']";
    app.find(row).await;
    let place = app
        .text(&format!("{row} [data-testid=location-row-where]"))
        .await;
    assert_eq!(place.trim(), folder.path().display().to_string());
    let retention = app
        .text(&format!("{row} [data-testid=location-row-retention]"))
        .await;
    assert_eq!(retention.trim(), "Keeps the last 5");

    app.click(&format!("{row} [data-testid=location-test]"))
        .await;
    let state = app
        .wait_for_attr(
            &format!("{row} [data-testid=location-test-result]"),
            "data-state",
            &["ok", "failed", "error"],
        )
        .await;
    let result = app
        .text(&format!("{row} [data-testid=location-test-result]"))
        .await;
    assert_eq!(state, "ok", "{result}");
    for step in ["list", "write", "read", "delete"] {
        assert!(result.contains(step), "{result}");
    }
    app.screenshot(&shot("storage-location-tested")).await;

    app.click(&format!("{row} [data-testid=location-retention]"))
        .await;
    app.fill(
        &format!("{row} [data-testid=location-retention-keep-days]"),
        "30",
    )
    .await;
    app.screenshot(&shot("storage-retention")).await;
    app.click(&format!("{row} [data-testid=location-retention-save]"))
        .await;
    app.wait_gone(&format!("{row} [data-testid=location-retention-form]"))
        .await;
    let retention = app
        .text(&format!("{row} [data-testid=location-row-retention]"))
        .await;
    assert_eq!(retention.trim(), "Keeps the last 5, at most 30 days");

    // The test environment's S3 server (path-style, plain HTTP).
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    app.click("[data-testid=storage-add]").await;
    app.click("[data-testid=location-kind-s3-choice]").await;
    app.fill("[data-testid=location-name]", "e2e-s3").await;
    app.fill("[data-testid=location-endpoint]", &env("DBM_S3_ENDPOINT"))
        .await;
    app.fill("[data-testid=location-bucket]", &env("DBM_S3_BUCKET"))
        .await;
    app.fill(
        "[data-testid=location-prefix]",
        &format!("e2e-{}", std::process::id()),
    )
    .await;
    app.click("[data-testid=location-path-style]").await;
    app.fill(
        "[data-testid=location-access-key-id]",
        &env("DBM_S3_ACCESS_KEY"),
    )
    .await;
    app.fill(
        "[data-testid=location-secret-key]",
        &env("DBM_S3_SECRET_KEY"),
    )
    .await;
    app.screenshot(&shot("storage-add-s3")).await;
    app.click("[data-testid=location-save]").await;
    let s3 = "[data-testid=location-row][data-name='e2e-s3']";
    let place = app
        .text(&format!("{s3} [data-testid=location-row-where]"))
        .await;
    assert!(
        place.contains(&format!("at {}", env("DBM_S3_ENDPOINT"))),
        "{place}"
    );

    // The test environment's SFTP server: its host key is known as [127.0.0.1]:PORT only (up.sh),
    // so by the name localhost it is refused under the host field; by its address it is added.
    app.click("[data-testid=storage-add]").await;
    app.click("[data-testid=location-kind-sftp-choice]").await;
    app.fill("[data-testid=location-name]", "e2e-sftp").await;
    app.fill("[data-testid=location-host]", "localhost").await;
    app.fill("[data-testid=location-port]", &env("DBM_SFTP_PORT"))
        .await;
    app.fill("[data-testid=location-user]", &env("DBM_SFTP_USER"))
        .await;
    app.fill("[data-testid=location-key-file]", &env("DBM_SFTP_KEY"))
        .await;
    let note = app.text("[data-testid=location-known-hosts]").await;
    assert!(note.contains("~/.ssh/known_hosts"), "{note}");
    app.screenshot(&shot("storage-add-sftp")).await;
    app.click("[data-testid=location-save]").await;
    let refused = app.text("[data-testid=location-host-error]").await;
    app.screenshot(&shot("storage-add-sftp-refused")).await;
    assert!(refused.contains("host key"), "{refused}");
    app.fill("[data-testid=location-host]", &env("DBM_SFTP_HOST"))
        .await;
    app.click("[data-testid=location-save]").await;
    let sftp = "[data-testid=location-row][data-name='e2e-sftp']";
    let place = app
        .text(&format!("{sftp} [data-testid=location-row-where]"))
        .await;
    assert!(place.contains(&env("DBM_SFTP_USER")), "{place}");

    app.click(&format!("{row} [data-testid=location-remove]"))
        .await;
    let prompt = app.text(&format!("{row} .confirm")).await;
    assert!(prompt.contains("The objects in it stay"), "{prompt}");
    app.screenshot(&shot("storage-remove-prompt")).await;
    app.click(&format!("{row} [data-testid=location-remove-confirm]"))
        .await;
    app.wait_gone(row).await;
    app.find(s3).await;
    let notice = app.text("[data-testid=storage-notice]").await;
    assert!(
        notice.contains("Its objects stay in the location."),
        "{notice}"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_is_copied_encrypted_from_its_details_and_a_failed_copy_shows_on_the_dashboard() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let nas = tempfile::tempdir().expect("a folder to copy to");
    let usb = tempfile::tempdir().expect("another folder to copy to");

    let app = App::launch(data_dir.path()).await;
    app.add_connection("copies db", 16, "postgres").await;
    assert_eq!(app.back_up_now("copies db").await, "completed");

    app.click("[data-testid=nav-storage]").await;
    app.find("[data-testid=storage-empty-add]").await;
    add_folder(&app, "nas", nas.path()).await;
    add_folder(&app, "usb", usb.path()).await;
    app.screenshot(&shot("storage-locations")).await;

    app.click("[data-testid=nav-backups]").await;
    app.wait_for_attr("[data-testid=backup-row]", "data-status", &["completed"])
        .await;
    app.click("[data-testid=backup-row] [data-testid=backup-expand]")
        .await;
    app.find("[data-testid=backup-copies-none]").await;

    app.click("[data-testid=backup-copy-to]").await;
    app.find("[data-testid=backup-copy-to-location]")
        .await
        .select_by_label("nas")
        .await
        .expect("choose nas");
    app.click("[data-testid=backup-copy-to-encrypt]").await;
    app.click("[data-testid=backup-copy-to-start]").await;
    let copy = "[data-testid=backup-copy][data-location-name='nas']";
    let state = app
        .wait_for_attr(copy, "data-state", &["copied", "failed"])
        .await;
    let text = app.text(copy).await;
    assert_eq!(state, "copied", "{text}");
    assert!(text.contains("encrypted"), "{text}");

    app.click(&format!("{copy} [data-testid=backup-copy-verify]"))
        .await;
    let ok = app
        .wait_for_attr(
            &format!("{copy} [data-testid=backup-copy-check]"),
            "data-ok",
            &["true", "false"],
        )
        .await;
    let check = app
        .text(&format!("{copy} [data-testid=backup-copy-check]"))
        .await;
    assert_eq!(ok, "true", "{check}");
    let stored: Vec<_> = walk(nas.path());
    assert!(
        stored.iter().any(|f| f.to_string_lossy().ends_with(".age")),
        "an encrypted object in the folder: {stored:?}"
    );

    // The backup's file changes on disk: a copy of it is refused, not made.
    let dumps: Vec<_> = walk(&data_dir.path().join("backups"))
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".dump"))
        .collect();
    assert_eq!(dumps.len(), 1, "{dumps:?}");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&dumps[0])
        .expect("open the backup's file");
    std::io::Write::write_all(&mut file, b"changed").expect("change the backup's file");
    drop(file);

    app.click("[data-testid=backup-copy-to]").await;
    app.find("[data-testid=backup-copy-to-location]")
        .await
        .select_by_label("usb")
        .await
        .expect("choose usb");
    app.click("[data-testid=backup-copy-to-start]").await;
    let failed = "[data-testid=backup-copy][data-location-name='usb']";
    let state = app
        .wait_for_attr(failed, "data-state", &["copied", "failed"])
        .await;
    assert_eq!(state, "failed");
    let error = app
        .text(&format!("{failed} [data-testid=backup-copy-error]"))
        .await;
    assert!(error.contains("changed since it was made"), "{error}");
    app.scroll_to("[data-testid=backup-copies]").await;
    app.screenshot(&shot("backup-copies")).await;

    app.click("[data-testid=nav-dashboard]").await;
    let card = app.text("[data-testid=dashboard-copies]").await;
    assert!(card.contains("usb"), "{card}");
    app.wait_for_attr("[data-testid=dashboard-copy]", "data-state", &["failed"])
        .await;
    app.screenshot(&shot("dashboard-copies")).await;

    app.click("[data-testid=nav-schedules]").await;
    app.click("[data-testid=schedule-new]").await;
    app.fill("[data-testid=schedule-name]", "copied nightly")
        .await;
    app.click("[data-testid=schedule-copies] summary").await;
    // The section opens and its locations load after the click: click once they can be.
    click_when_ready(&app, "[data-testid=schedule-copy-to][data-location-id='1']").await;
    click_when_ready(&app, "[data-testid=schedule-copy-encrypt]").await;
    wait_for_text(
        &app,
        "[data-testid=schedule-copies-summary]",
        "Copies to nas · encrypted",
    )
    .await;
    app.scroll_to("[data-testid=schedule-copies]").await;
    app.screenshot(&shot("schedule-form-copies")).await;
    app.click("[data-testid=schedule-save]").await;
    let row = "[data-testid=schedule-row][data-name='copied nightly']";
    wait_for_text(
        &app,
        &format!("{row} [data-testid=schedule-row-copies]"),
        "to nas · encrypted",
    )
    .await;
    app.screenshot(&shot("schedules-copies")).await;
    app.close().await;
}

/// Waits until the element's text is `expected` (the window may not have redrawn yet).
async fn wait_for_text(app: &App, css: &str, expected: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let text = app.text(css).await;
        if text.trim() == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} says {text:?}, not {expected:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
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

/// Clicks `css` once it can take a click (shown, in view, not covered), for up to 10 s.
async fn click_when_ready(app: &App, css: &str) {
    let mut last = String::new();
    for _ in 0..50 {
        app.scroll_to(css).await;
        match app.find(css).await.click().await {
            Ok(()) => return,
            Err(error) => last = error.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("click {css}: {last}");
}
