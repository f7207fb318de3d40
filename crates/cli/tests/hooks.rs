//! A schedule's hooks against a real HTTP server on loopback (started here): the ping with
//! `{status}` and the success/failure URLs after completed and failed runs, a command that
//! gets the run's JSON on stdin, and a URL that never answers costing the run at most its
//! timeout, with each outcome shown on the backup. Also the per-schedule run limits.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{add_connection, pg_password, psql, run_dbm, text};

/// One request the server received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    body: String,
    at: chrono::DateTime<chrono::Utc>,
}

/// Answers 200 to every request, except under `/hang`, where it reads the request and never
/// answers.
struct HookServer {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl HookServer {
    fn start() -> HookServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        HookServer { port, received }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Received>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    log.lock().unwrap().push(Received {
        method,
        path: path.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: chrono::Utc::now(),
    });
    if path.starts_with("/hang") {
        std::thread::sleep(Duration::from_secs(60));
        return;
    }
    let mut stream = stream;
    let _ =
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(output)))
}

/// Every key in a JSON value, at any depth.
fn keys_of(value: &serde_json::Value, keys: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                keys.push(key.clone());
                keys_of(inner, keys);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys_of(v, keys)),
        _ => {}
    }
}

fn hook<'a>(backup: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    backup["hooks"]
        .as_array()
        .and_then(|hooks| hooks.iter().find(|h| h["hook"] == name))
        .unwrap_or_else(|| panic!("no {name} hook on {backup}"))
}

#[test]
fn hooks_are_called_after_completed_and_failed_runs_and_a_hanging_one_costs_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = HookServer::start();
    let password = pg_password();
    assert!(add_connection(&data, "hooked", 17, "postgres", &password)
        .status
        .success());
    let report = dir.path().join("run.json");
    let ping = server.url("/ping/{status}");
    let success = server.url("/done");
    let failure = server.url("/broken");
    let command = format!("cat > '{}'", report.display());

    let refused = run_dbm(
        &data,
        &[
            "schedule",
            "add",
            "--connection",
            "hooked",
            "--cron",
            "@daily",
            "--ping-url",
            "hc-ping.com/abc",
        ],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("is not an http:// or https:// address"),
        "{}",
        text(&refused)
    );

    let added = run_dbm(
        &data,
        &[
            "schedule",
            "add",
            "--connection",
            "hooked",
            "--name",
            "nightly",
            "--cron",
            "@daily",
            "--verify-every",
            "none",
            "--ping-url",
            &ping,
            "--on-success-url",
            &success,
            "--on-failure-url",
            &failure,
            "--on-finish-cmd",
            &command,
            "--json",
        ],
        None,
    );
    assert!(added.status.success(), "{}", text(&added));
    assert_eq!(json(&added)["hooks"]["pingUrl"], ping);

    let ran = run_dbm(&data, &["schedule", "run", "nightly", "--json"], None);
    assert!(ran.status.success(), "{}", text(&ran));
    let backup = json(&ran);
    assert_eq!(backup["status"], "completed");
    let paths: Vec<(String, String)> = server
        .received()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert!(
        paths.contains(&("POST".into(), "/ping/success".into())),
        "{paths:?}"
    );
    assert!(
        paths.contains(&("POST".into(), "/done".into())),
        "{paths:?}"
    );
    assert!(!paths.iter().any(|(_, p)| p == "/broken"), "{paths:?}");
    assert_eq!(hook(&backup, "ping")["ok"], true, "{backup}");
    assert_eq!(
        hook(&backup, "on-success")["detail"],
        "HTTP 200",
        "{backup}"
    );
    assert_eq!(hook(&backup, "on-finish")["ok"], true, "{backup}");
    let body = &server.received()[0].body;
    assert!(
        body.contains("nightly") && body.contains("completed"),
        "{body}"
    );
    // The command read the run's JSON, without a secret in it.
    let reported = std::fs::read_to_string(&report).unwrap();
    let reported: serde_json::Value = serde_json::from_str(&reported).unwrap();
    assert_eq!(reported["status"], "success");
    assert_eq!(reported["scheduleName"], "nightly");
    assert_eq!(reported["backup"]["id"], backup["id"]);
    let mut keys = Vec::new();
    keys_of(&reported, &mut keys);
    assert!(
        !keys.iter().any(|k| {
            let k = k.to_ascii_lowercase();
            k.contains("password") || k.contains("secret") || k == "username" || k == "host"
        }),
        "{keys:?}"
    );
    // Shown on the backup.
    let shown = run_dbm(&data, &["backup", "show", &backup["id"].to_string()], None);
    assert!(
        text(&shown).contains("on-success ok: HTTP 200"),
        "{}",
        text(&shown)
    );

    // A failed run (the database is gone): the failure paths, with the error in the JSON.
    psql(17, "postgres", "DROP DATABASE IF EXISTS dbm_cli_hooks_gone");
    psql(17, "postgres", "CREATE DATABASE dbm_cli_hooks_gone");
    assert!(
        add_connection(&data, "doomed", 17, "dbm_cli_hooks_gone", &password)
            .status
            .success()
    );
    psql(17, "postgres", "DROP DATABASE dbm_cli_hooks_gone");
    let moved = run_dbm(
        &data,
        &["schedule", "update", "nightly", "--connection", "doomed"],
        None,
    );
    assert!(moved.status.success(), "{}", text(&moved));
    let failed = run_dbm(&data, &["schedule", "run", "nightly", "--json"], None);
    assert!(!failed.status.success());
    let paths: Vec<String> = server.received().iter().map(|r| r.path.clone()).collect();
    assert!(paths.contains(&"/ping/failure".to_string()), "{paths:?}");
    assert!(paths.contains(&"/broken".to_string()), "{paths:?}");
    let reported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(reported["status"], "failure");
    assert!(
        reported.to_string().contains("dbm_cli_hooks_gone"),
        "the failure's words are in the JSON: {reported}"
    );

    // A URL that never answers: the run ends at the hook's timeout, its backup recorded first.
    let updated = run_dbm(
        &data,
        &[
            "schedule",
            "update",
            "nightly",
            "--connection",
            "hooked",
            "--ping-url",
            "none",
            "--on-failure-url",
            "none",
            "--on-finish-cmd",
            "none",
            "--on-success-url",
            &server.url("/hang"),
            "--hook-timeout",
            "3s",
        ],
        None,
    );
    assert!(updated.status.success(), "{}", text(&updated));
    let started = Instant::now();
    let hung = run_dbm(&data, &["schedule", "run", "nightly", "--json"], None);
    let took = started.elapsed();
    assert!(hung.status.success(), "{}", text(&hung));
    let backup = json(&hung);
    let result = hook(&backup, "on-success");
    assert_eq!(result["ok"], false, "{backup}");
    assert_eq!(result["detail"], "timed out after 3 seconds", "{backup}");
    assert!(result["seconds"].as_f64().unwrap() < 5.0, "{backup}");
    assert!(took < Duration::from_secs(50), "{took:?}");
    let called = server
        .received()
        .into_iter()
        .find(|r| r.path == "/hang")
        .expect("the hanging URL was called");
    let completed =
        chrono::DateTime::parse_from_rfc3339(backup["completedAt"].as_str().unwrap()).unwrap();
    assert!(
        completed <= called.at,
        "the backup was complete before its hook was called"
    );
}

#[test]
fn a_schedules_stall_and_time_limits_end_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let database = "dbm_cli_limits";
    psql(
        16,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
    psql(16, "postgres", &format!("CREATE DATABASE {database}"));
    psql(
        16,
        database,
        "CREATE TABLE t AS SELECT generate_series(1, 1000) AS g",
    );
    assert!(
        add_connection(dir.path(), "limited", 16, database, &pg_password())
            .status
            .success()
    );
    let refused = run_dbm(
        dir.path(),
        &[
            "schedule",
            "add",
            "--connection",
            "limited",
            "--cron",
            "@daily",
            "--time-limit",
            "1s",
        ],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("A time limit of 1 second"),
        "{}",
        text(&refused)
    );
    let added = run_dbm(
        dir.path(),
        &[
            "schedule",
            "add",
            "--connection",
            "limited",
            "--name",
            "limited",
            "--cron",
            "@daily",
            "--verify-every",
            "none",
            "--stall-after",
            "10s",
        ],
        None,
    );
    assert!(added.status.success(), "{}", text(&added));

    let lock = support::TableLock::hold(16, database);
    let stalled = run_dbm(dir.path(), &["schedule", "run", "limited", "--json"], None);
    assert!(!stalled.status.success());
    let error = json(&stalled)["errorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        error.contains("stopped after 10 seconds without data"),
        "{error}"
    );

    let updated = run_dbm(
        dir.path(),
        &[
            "schedule",
            "update",
            "limited",
            "--stall-after",
            "none",
            "--time-limit",
            "10s",
        ],
        None,
    );
    assert!(updated.status.success(), "{}", text(&updated));
    let timed = run_dbm(dir.path(), &["schedule", "run", "limited", "--json"], None);
    drop(lock);
    assert!(!timed.status.success());
    let error = json(&timed)["errorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        error.contains("stopped at its time limit of 10 seconds"),
        "{error}"
    );
    assert!(support::partials(&dir.path().join("backups")).is_empty());
    psql(
        16,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
}
