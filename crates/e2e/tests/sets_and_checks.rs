//! The real app with a whole server and the checks around backups: the connection form's
//! "All databases" list read from the server, a set on the Backups page expanding into its
//! databases (one of them failed: the set is partial), a connection whose newest proof failed
//! shown "not proven" on the Dashboard, a schedule's checks and hooks in its form, and what a
//! backup's hooks answered in its details. Screenshots of each (run with
//! `GTK_THEME=Adwaita:dark` for the dark ones).

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::App;

fn port(major: u32) -> String {
    std::env::var(format!("DBM_PG{major}_PORT")).unwrap_or_else(|_| (54300 + major).to_string())
}

fn password() -> String {
    std::env::var("DBM_PG_PASSWORD").unwrap_or_else(|_| "postgres".into())
}

fn psql(database: &str, sql: &str) {
    let status = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port(17),
            "-U",
            "postgres",
            "-qAtX",
            "-c",
            sql,
        ])
        .env("PGPASSWORD", password())
        .env("PGDATABASE", database)
        .stdout(Stdio::null())
        .status()
        .expect("psql");
    assert!(status.success(), "{sql}");
}

/// `dbm` on the app's data dir; answers its stdout.
fn dbm(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(support::cli_binary())
        .args(args)
        .env("DBM_DATA_DIR", data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run dbm");
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        input.write_all(text.as_bytes()).expect("write dbm's stdin");
    }
    let output = child.wait_with_output().expect("dbm ends");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const DATABASES: [&str; 3] = ["dbme2eset_shop", "dbme2eset_crm ünï", "dbme2eset_locked"];

#[tokio::test(flavor = "multi_thread")]
async fn sets_proofs_and_hooks_are_shown_where_the_user_looks() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let data = data_dir.path();
    for db in DATABASES {
        psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
        );
        psql("postgres", &format!("CREATE DATABASE \"{db}\""));
        psql(db, "CREATE TABLE t AS SELECT generate_series(1, 500) g");
    }
    psql("postgres", "DROP ROLE IF EXISTS dbme2eset_user");
    psql(
        "postgres",
        "CREATE ROLE dbme2eset_user LOGIN PASSWORD 'e2e set pw'",
    );
    for db in DATABASES {
        psql(db, "GRANT SELECT ON t TO dbme2eset_user");
    }
    // The user may not connect to one of them: the set is partial, saying why.
    psql(
        "postgres",
        "REVOKE CONNECT ON DATABASE dbme2eset_locked FROM PUBLIC",
    );
    let port17 = port(17);
    dbm(
        data,
        &[
            "connection",
            "add",
            "--name",
            "whole server",
            "--host",
            "127.0.0.1",
            "--port",
            &port17,
            "--user",
            "dbme2eset_user",
            "--all-databases",
            "--include",
            "dbme2eset_*",
            "--password-stdin",
        ],
        Some("e2e set pw\n"),
    );
    dbm(data, &["backup", "run", "whole server"], None);

    // A one-database connection whose schedule has a hook that fails and a proof that failed.
    dbm(
        data,
        &[
            "connection",
            "add",
            "--name",
            "orders",
            "--host",
            "127.0.0.1",
            "--port",
            &port17,
            "--database",
            "dbme2eset_shop",
            "--user",
            "postgres",
            "--password-stdin",
        ],
        Some(&format!("{}\n", password())),
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port();
    dbm(
        data,
        &[
            "schedule",
            "add",
            "--connection",
            "orders",
            "--name",
            "orders nightly",
            "--cron",
            "0 3 * * *",
            "--tz",
            "UTC",
            "--ping-url",
            &format!("http://127.0.0.1:{closed}/ping/{{status}}"),
            "--hook-timeout",
            "3s",
        ],
        None,
    );
    dbm(data, &["schedule", "run", "orders nightly"], None);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    rusqlite::Connection::open(data.join("dbm.sqlite3"))
        .expect("the app's database")
        .execute(
            "INSERT INTO proof (schedule_id, backup_id, started_at, finished_at, ok, error)
             SELECT id, last_backup_id, ?1, ?1, 0,
                    'row counts: public.t (499 restored, 500 now)' FROM schedule",
            [now],
        )
        .expect("a failed proof");

    let app = App::launch(data).await;
    let card = app.text("[data-testid=not-proven-cards]").await;
    assert!(card.contains("orders"), "{card}");
    assert!(card.contains("499 restored"), "{card}");
    app.screenshot("dashboard-not-proven").await;

    app.click("[data-testid=nav-backups]").await;
    let toggle = "[data-testid=backup-set-toggle]";
    let summary = app.text(toggle).await;
    assert!(summary.contains("2 of 3"), "{summary}");
    app.click(toggle).await;
    let parts = app.text("[data-testid=backup-parts-row]").await;
    assert!(parts.contains("dbme2eset_crm ünï"), "{parts}");
    assert!(parts.contains("permission denied"), "{parts}");
    app.screenshot("backups-set-expanded").await;

    // The scheduled backup's details: its hook, which found nothing listening.
    // The set was backup 1, the scheduled one backup 2.
    app.click("[data-testid=backup-row][data-id='2'] [data-testid=backup-expand]")
        .await;
    let hooks = app.text("[data-testid=backup-hooks]").await;
    assert!(hooks.to_lowercase().contains("failed"), "{hooks}");
    app.screenshot("backup-details-hooks").await;

    app.click("[data-testid=nav-schedules]").await;
    let proof = app.text("[data-testid=schedule-row-proof]").await;
    assert!(proof.contains("Not proven"), "{proof}");
    app.click("[data-testid=schedule-edit]").await;
    app.find("[data-testid=schedule-checks][open]").await;
    app.scroll_to("[data-testid=schedule-ping-url]").await;
    app.screenshot("schedule-form-checks").await;
    app.click("[data-testid=schedule-cancel]").await;

    // The connection form lists what a whole-server run takes.
    app.click("[data-testid=nav-connections]").await;
    app.click("[data-testid=connections-add]").await;
    app.fill("[data-testid=field-name]", "another server").await;
    app.fill("[data-testid=field-host]", "127.0.0.1").await;
    app.fill("[data-testid=field-port]", &port17).await;
    app.fill("[data-testid=field-username]", "postgres").await;
    app.fill("[data-testid=field-password]", &password()).await;
    app.click("[data-testid=scope-all]").await;
    app.fill("[data-testid=field-include]", "dbme2eset_*").await;
    app.click("[data-testid=scope-list]").await;
    let listed = app.text("[data-testid=scope-database-list]").await;
    for db in DATABASES {
        assert!(listed.contains(db), "{db} in {listed}");
    }
    app.scroll_to("[data-testid=scope-database-list]").await;
    app.screenshot("connection-form-all-databases").await;
    app.close().await;

    for db in DATABASES {
        psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
        );
    }
    psql("postgres", "DROP ROLE IF EXISTS dbme2eset_user");
}
