//! Connections through the real window: add one with the form, test it against a real server,
//! and see bad input refused where it was typed.

mod support;

use support::App;

fn port(major: u32) -> String {
    std::env::var(format!("DBM_PG{major}_PORT")).unwrap_or_else(|_| (54300 + major).to_string())
}

fn pg_password() -> String {
    std::env::var("DBM_PG_PASSWORD").unwrap_or_else(|_| "postgres".into())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_added_in_the_form_is_tested_saved_and_shows_its_server_version() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let app = App::launch(data_dir.path()).await;
    app.click("[data-testid=nav-connections]").await;
    app.click("[data-testid=connections-add]").await;
    app.find("[data-testid=connection-form]").await;

    // WebDriver cannot type characters outside the BMP (emoji); the engine tests cover those.
    app.fill("[data-testid=field-name]", "E2E server 16 — données")
        .await;
    app.fill("[data-testid=field-host]", "127.0.0.1").await;
    app.fill("[data-testid=field-port]", &port(16)).await;
    app.fill("[data-testid=field-database]", "postgres").await;
    app.fill("[data-testid=field-username]", "postgres").await;
    app.fill("[data-testid=field-password]", &pg_password())
        .await;

    app.click("[data-testid=form-test]").await;
    let state = app
        .wait_for_attr(
            "[data-testid=form-test-result]",
            "data-state",
            &["ok", "error"],
        )
        .await;
    let result = app.text("[data-testid=form-test-result]").await;
    assert_eq!(state, "ok", "{result}");
    assert!(result.contains("PostgreSQL 16."), "{result}");
    app.screenshot("connection-form-tested").await;

    app.click("[data-testid=form-save]").await;
    let row = "[data-testid=connection-row][data-name='E2E server 16 — données']";
    app.find(row).await;
    app.click(&format!("{row} [data-testid=connection-test]"))
        .await;
    let state = app
        .wait_for_attr(
            &format!("{row} [data-testid=connection-test-result]"),
            "data-state",
            &["ok", "error"],
        )
        .await;
    assert_eq!(state, "ok");
    let version = app
        .text(&format!("{row} [data-testid=connection-version]"))
        .await;
    assert!(
        version.contains("16."),
        "the row shows the detected version: {version}"
    );
    app.screenshot("connections-list").await;
    app.close().await;

    // The password went to the keyring, not into the app's files.
    let password = pg_password();
    for entry in std::fs::read_dir(data_dir.path()).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let needle = format!("\"{password}\"");
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{}",
                entry.path().display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_out_of_range_is_refused_under_the_port_field_and_nothing_is_saved() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let app = App::launch(data_dir.path()).await;
    app.click("[data-testid=nav-connections]").await;
    app.click("[data-testid=connections-add]").await;
    app.fill("[data-testid=field-name]", "bad port").await;
    app.fill("[data-testid=field-host]", "127.0.0.1").await;
    app.fill("[data-testid=field-port]", "70000").await;
    app.fill("[data-testid=field-database]", "postgres").await;
    app.fill("[data-testid=field-username]", "postgres").await;
    app.click("[data-testid=form-save]").await;
    let error = app.text("[data-testid=error-port]").await;
    assert!(error.contains("1 to 65535"), "{error}");
    app.screenshot("connection-form-bad-port").await;
    app.click("[data-testid=form-cancel]").await;
    app.find("[data-testid=connections-empty-add]").await;
    app.close().await;
}
