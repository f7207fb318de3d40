//! Hostile input through the CLI, and through the engine calls the Tauri commands make with the
//! JSON the window would send: each must be answered with a clear error (non-zero exit, a
//! message that says what to do, no panic, not a 10 MB echo) and change nothing on disk; input
//! that is odd but valid (names in any script, quotes, `=`, `../../etc`) must simply work.

use std::path::Path;

use serde_json::Value;

use crate::dbm::{DataDir, BIG};

/// Everything a mistaken command could have changed: the records, and the backup root's files.
fn state(data: &DataDir) -> String {
    let mut text = String::new();
    for args in [
        &["connection", "list", "--json"][..],
        &["schedule", "list", "--json"],
        &["backup", "list", "--json"],
    ] {
        let output = data.run(args, None);
        text.push_str(&String::from_utf8_lossy(&output.stdout));
    }
    let mut files = Vec::new();
    let mut stack = vec![data.root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if path.is_dir() {
                stack.push(path.clone());
            }
            files.push(format!("{} {size}", path.display()));
        }
    }
    files.sort();
    text.push_str(&files.join("\n"));
    text
}

pub struct Report {
    pub tried: usize,
    pub handled: usize,
    pub failures: Vec<String>,
}

fn long(n: usize) -> String {
    "x".repeat(n)
}

/// Runs every case against `data` (a data dir with a completed backup `backup_id`).
pub fn run(data: &DataDir, backup_id: i64, scratch: &Path) -> Report {
    let id = backup_id.to_string();
    let big_arg = long(100_000);
    let ten_mb = long(10_000_000);
    let file_dest = scratch.join("existing.txt");
    let _ = std::fs::write(&file_dest, b"keep");
    let missing_dir = scratch.join("no/such/folder/copy.dump");
    let backup_file = data
        .backups()
        .iter()
        .find(|b| b["id"].as_i64() == Some(backup_id))
        .and_then(|b| b["filePath"].as_str().map(str::to_string))
        .unwrap_or_default();
    let root = data.root.display().to_string();
    let port = crate::server::PORT.to_string();
    let add = |name: &str, host: &str, port: &str, database: &str, user: &str| -> Vec<String> {
        [
            "connection",
            "add",
            "--name",
            name,
            "--host",
            host,
            "--port",
            port,
            "--database",
            database,
            "--user",
            user,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let s = |parts: &[&str]| parts.iter().map(|p| p.to_string()).collect::<Vec<String>>();
    let sixty_four = "d".repeat(64);
    // (what, args, stdin): each must fail cleanly.
    let mut refused: Vec<(String, Vec<String>, Option<String>)> = vec![
        ("empty name".into(), add("", "h", "5432", "d", "u"), None),
        ("blank name".into(), add("   ", "h", "5432", "d", "u"), None),
        (
            "name with a line break".into(),
            add("a\nb", "h", "5432", "d", "u"),
            None,
        ),
        (
            "name of 501 characters".into(),
            add(&long(501), "h", "5432", "d", "u"),
            None,
        ),
        (
            "name of 100 kB".into(),
            add(&big_arg, "h", "5432", "d", "u"),
            None,
        ),
        ("name taken".into(), add(BIG, "h", "5432", "d", "u"), None),
        ("empty host".into(), add("n1", "", "5432", "d", "u"), None),
        (
            "host with a space".into(),
            add("n1", "db server", "5432", "d", "u"),
            None,
        ),
        (
            "host of 300 characters".into(),
            add("n1", &long(300), "5432", "d", "u"),
            None,
        ),
        (
            "host of 100 kB".into(),
            add("n1", &big_arg, "5432", "d", "u"),
            None,
        ),
        ("port 0".into(), add("n1", "h", "0", "d", "u"), None),
        ("port 70000".into(), add("n1", "h", "70000", "d", "u"), None),
        ("port abc".into(), add("n1", "h", "abc", "d", "u"), None),
        ("port -1".into(), add("n1", "h", "-1", "d", "u"), None),
        (
            "port of 100 kB".into(),
            add("n1", "h", &big_arg, "d", "u"),
            None,
        ),
        (
            "database of 64 bytes".into(),
            add("n1", "h", "5432", &sixty_four, "u"),
            None,
        ),
        (
            "database with a line break".into(),
            add("n1", "h", "5432", "a\nb", "u"),
            None,
        ),
        (
            "empty database".into(),
            add("n1", "h", "5432", "", "u"),
            None,
        ),
        (
            "user of 64 bytes".into(),
            add("n1", "h", "5432", "d", &sixty_four),
            None,
        ),
        ("empty user".into(), add("n1", "h", "5432", "d", ""), None),
        (
            "sslmode bogus".into(),
            [add("n1", "h", "5432", "d", "u"), s(&["--sslmode", "bogus"])].concat(),
            None,
        ),
        (
            "URI of another scheme".into(),
            s(&["connection", "add", "--uri-stdin"]),
            Some("http://u@h/d".into()),
        ),
        (
            "URI that is garbage".into(),
            s(&["connection", "add", "--uri-stdin"]),
            Some("postgresql://[::1".into()),
        ),
        (
            "URI of 10 MB".into(),
            s(&["connection", "add", "--uri-stdin"]),
            Some(ten_mb.clone()),
        ),
        (
            "URI with a NUL".into(),
            s(&["connection", "add", "--uri-stdin"]),
            Some("postgresql://u@h/d\0b".into()),
        ),
        (
            "cron 61 * * * *".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "61 * * * *",
            ]),
            None,
        ),
        (
            "cron of 3 fields".into(),
            s(&["schedule", "add", "--connection", BIG, "--cron", "* * *"]),
            None,
        ),
        (
            "empty cron".into(),
            s(&["schedule", "add", "--connection", BIG, "--cron", ""]),
            None,
        ),
        (
            "cron that never runs".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "0 0 30 2 *",
            ]),
            None,
        ),
        (
            "cron of 100 kB".into(),
            s(&["schedule", "add", "--connection", BIG, "--cron", &big_arg]),
            None,
        ),
        (
            "zone Mars/Olympus".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "@daily",
                "--tz",
                "Mars/Olympus",
            ]),
            None,
        ),
        (
            "empty zone".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "@daily",
                "--tz",
                "",
            ]),
            None,
        ),
        (
            "keep-last -1".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "@daily",
                "--keep-last",
                "-1",
            ]),
            None,
        ),
        (
            "keep-last abc".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "@daily",
                "--keep-last",
                "abc",
            ]),
            None,
        ),
        (
            "keep-days 10^11".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "@daily",
                "--keep-days",
                "99999999999",
            ]),
            None,
        ),
        (
            "schedule of a missing connection".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                "nope",
                "--cron",
                "@daily",
            ]),
            None,
        ),
        (
            "schedule format zip".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "@daily",
                "--format",
                "zip",
            ]),
            None,
        ),
        (
            "schedule compress zstd:99".into(),
            s(&[
                "schedule",
                "add",
                "--connection",
                BIG,
                "--cron",
                "@daily",
                "--compress",
                "zstd:99",
            ]),
            None,
        ),
        (
            "backup of a missing connection".into(),
            s(&["backup", "run", "nope"]),
            None,
        ),
        (
            "backup format bogus".into(),
            s(&["backup", "run", BIG, "--format", "bogus"]),
            None,
        ),
        (
            "backup compress lz4:13".into(),
            s(&["backup", "run", BIG, "--compress", "lz4:13"]),
            None,
        ),
        (
            "backup compress gzip:0".into(),
            s(&["backup", "run", BIG, "--compress", "gzip:0"]),
            None,
        ),
        (
            "schema only and data only".into(),
            s(&["backup", "run", BIG, "--schema-only", "--data-only"]),
            None,
        ),
        (
            "0 jobs".into(),
            s(&["backup", "run", BIG, "--format", "directory", "--jobs", "0"]),
            None,
        ),
        (
            "jobs with custom".into(),
            s(&["backup", "run", BIG, "--jobs", "4"]),
            None,
        ),
        (
            "empty table pattern".into(),
            s(&["backup", "run", BIG, "--table", ""]),
            None,
        ),
        (
            "tar compressed".into(),
            s(&[
                "backup",
                "run",
                BIG,
                "--format",
                "tar",
                "--compress",
                "gzip",
            ]),
            None,
        ),
        (
            "export of a missing id".into(),
            s(&["backup", "export", "999999", &scratch.display().to_string()]),
            None,
        ),
        (
            "export into a missing folder".into(),
            s(&["backup", "export", &id, &missing_dir.display().to_string()]),
            None,
        ),
        (
            "export onto an existing file".into(),
            s(&["backup", "export", &id, &file_dest.display().to_string()]),
            None,
        ),
        (
            "export onto the backup itself".into(),
            s(&["backup", "export", &id, &backup_file]),
            None,
        ),
        (
            "export into the backup root".into(),
            s(&["backup", "export", &id, &root]),
            None,
        ),
        (
            "export into /proc".into(),
            s(&["backup", "export", &id, "/proc/copy.dump"]),
            None,
        ),
        (
            "delete a missing id".into(),
            s(&["backup", "delete", "999999"]),
            None,
        ),
        (
            "verify a missing id".into(),
            s(&["backup", "verify", "999999"]),
            None,
        ),
        (
            "show a non-number".into(),
            s(&["backup", "show", "abc"]),
            None,
        ),
        (
            "list with limit -1".into(),
            s(&["backup", "list", "--limit", "-1"]),
            None,
        ),
        (
            "list from a non-date".into(),
            s(&["backup", "list", "--from", "yesterday-ish"]),
            None,
        ),
        (
            "restore to a missing connection".into(),
            s(&["restore", &id, "--to", "nope"]),
            None,
        ),
        (
            "restore into 64 bytes".into(),
            s(&[
                "restore",
                &id,
                "--to",
                BIG,
                "--database",
                &sixty_four,
                "--create",
            ]),
            None,
        ),
        (
            "restore into an empty name".into(),
            s(&["restore", &id, "--to", BIG, "--database", "", "--create"]),
            None,
        ),
        (
            "restore into a non-empty database".into(),
            s(&["restore", &id, "--to", BIG]),
            None,
        ),
        (
            "preview a bad cron".into(),
            s(&["schedule", "preview", "* * * * * * * *"]),
            None,
        ),
        (
            "preview 0 runs".into(),
            s(&["schedule", "preview", "@daily", "--count", "0"]),
            None,
        ),
        (
            "remove a missing schedule".into(),
            s(&["schedule", "remove", "nope"]),
            None,
        ),
        (
            "remove a missing connection".into(),
            s(&["connection", "remove", "nope"]),
            None,
        ),
        (
            "update a missing connection".into(),
            s(&["connection", "update", "nope", "--host", "h"]),
            None,
        ),
        (
            "data dir that is a file".into(),
            s(&[
                "--data-dir",
                &file_dest.display().to_string(),
                "connection",
                "list",
            ]),
            None,
        ),
        (
            "data dir in /proc".into(),
            s(&["--data-dir", "/proc/dbm", "connection", "list"]),
            None,
        ),
    ];
    // Valid, if odd: they must work (and a backup of such a name stays inside the root).
    let odd_names = [
        "données 🐘 \"q\" 'x'",
        "a=b host=203.0.113.9",
        "../../etc/passwd",
    ];
    let mut report = Report {
        tried: 0,
        handled: 0,
        failures: Vec::new(),
    };
    for (what, args, stdin) in refused.drain(..) {
        report.tried += 1;
        let before = state(data);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = data.run(&refs, stdin.as_deref());
        let stderr = String::from_utf8_lossy(&output.stderr);
        let clear = !output.status.success()
            && !stderr.trim().is_empty()
            && !stderr.contains("panicked")
            && stderr.len() < 4000;
        let unchanged = state(data) == before;
        if clear && unchanged {
            report.handled += 1;
        } else {
            report.failures.push(format!(
                "{what}: exit {:?}, unchanged {unchanged}, said {:?}",
                output.status.code(),
                stderr.chars().take(200).collect::<String>()
            ));
        }
    }
    for name in odd_names {
        report.tried += 1;
        let args = add(
            name,
            "127.0.0.1",
            &port,
            crate::server::DATABASE,
            crate::server::ROLE,
        );
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let added = data.run(&refs, None);
        let backup = data.run(
            &[
                "backup",
                "run",
                name,
                "--format",
                "plain",
                "--schema-only",
                "--json",
            ],
            None,
        );
        let record: Value = serde_json::from_slice(&backup.stdout).unwrap_or(Value::Null);
        let inside = record["filePath"]
            .as_str()
            .is_some_and(|p| p.starts_with(&root) && !p.contains("/../"));
        // Without a password the backup fails to log in: that is its answer, a clear one.
        let answered = record["status"] == "failed" || record["status"] == "completed";
        let removed = data.run(&["connection", "remove", name, "--delete-backups"], None);
        if added.status.success()
            && answered
            && (inside || record["filePath"].is_null())
            && removed.status.success()
        {
            report.handled += 1;
        } else {
            report.failures.push(format!("odd name {name:?}: {record}"));
        }
    }
    // Two deletes of one backup at once: one deletes, the other says it is gone.
    report.tried += 1;
    let racing: Vec<_> = (0..2)
        .filter_map(|_| data.spawn(&["backup", "delete", &id]).ok())
        .collect();
    let successes = racing
        .into_iter()
        .filter_map(|mut child| child.wait().ok())
        .filter(|status| status.success())
        .count();
    let gone = !Path::new(&backup_file).exists()
        && !data
            .backups()
            .iter()
            .any(|b| b["id"].as_i64() == Some(backup_id));
    if successes == 1 && gone {
        report.handled += 1;
    } else {
        report.failures.push(format!(
            "racing deletes: {successes} succeeded, gone {gone}"
        ));
    }
    report.tried += engine_cases(data, &mut report.failures, &mut report.handled);
    report
}

/// What the Tauri commands receive as JSON, through the engine calls they make.
fn engine_cases(data: &DataDir, failures: &mut Vec<String>, handled: &mut usize) -> usize {
    use dbm_engine::connections::{ConnectionInput, Connections};
    use dbm_engine::dump::options::DumpOptions;
    use dbm_engine::schedules::{ScheduleInput, Schedules};
    let store = match dbm_engine::store::Store::open_in(&data.dir) {
        Ok(store) => store,
        Err(error) => {
            failures.push(format!("engine cases: {error}"));
            return 1;
        }
    };
    let mut tried = 0;
    let mut expect_err = |what: &str, result: Result<(), String>| {
        tried += 1;
        match result {
            Err(message) if message.len() < 4000 => *handled += 1,
            other => failures.push(format!(
                "engine {what}: {}",
                format!("{other:?}").chars().take(300).collect::<String>()
            )),
        }
    };
    let connection = |json: &str| -> Result<(), String> {
        let input: ConnectionInput = serde_json::from_str(json).map_err(|e| e.to_string())?;
        Connections::new(&store)
            .create(&input, None)
            .map(|_| ())
            .map_err(|p| p.to_string())
    };
    expect_err(
        "connection with a 10 MB name",
        connection(&format!(
            r#"{{"name":"{}","host":"h","port":"5432","database":"d","username":"u","sslmode":"prefer"}}"#,
            long(10_000_000)
        )),
    );
    expect_err(
        "connection with port 99999",
        connection(
            r#"{"name":"j1","host":"h","port":"99999","database":"d","username":"u","sslmode":"prefer"}"#,
        ),
    );
    expect_err(
        "connection with a NUL in the database",
        connection(
            r#"{"name":"j2","host":"h","port":"5432","database":"a\u0000b","username":"u","sslmode":"prefer"}"#,
        ),
    );
    expect_err(
        "connection with sslmode bogus",
        connection(
            r#"{"name":"j3","host":"h","port":"5432","database":"d","username":"u","sslmode":"bogus"}"#,
        ),
    );
    let options = |json: &str| -> Result<(), String> {
        let options: DumpOptions = serde_json::from_str(json).map_err(|e| e.to_string())?;
        options.validate().map_err(|p| p.to_string())
    };
    expect_err(
        "options with zstd level 99",
        options(r#"{"compression":{"method":"zstd","level":99}}"#),
    );
    expect_err(
        "options with gzip level 0",
        options(r#"{"compression":{"method":"gzip","level":0}}"#),
    );
    let schedule = |keep_last: &str| -> Result<(), String> {
        let connection = Connections::new(&store)
            .find(BIG)
            .map_err(|p| p.to_string())?;
        let json = format!(
            r#"{{"name":"j4","connectionId":{},"cron":"@daily","timezone":"UTC","isActive":true,"format":"custom","compression":{{"method":"auto"}},"keepLast":{keep_last},"keepDays":null}}"#,
            connection.id.0
        );
        let input: ScheduleInput = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        Schedules::new(&store)
            .create(&input)
            .map(|_| ())
            .map_err(|p| p.to_string())
    };
    expect_err("schedule keeping 0", schedule("0"));
    expect_err("schedule keeping -5", schedule("-5"));
    // The Settings page's backup folder: missing parents are made, but not these.
    let before = dbm_engine::settings::AppSettings::load(&store).ok();
    let a_file = data.dir.join("dbm.sqlite3").display().to_string();
    for (what, root) in [
        ("backup folder relative", "backups".to_string()),
        ("backup folder empty", String::new()),
        ("backup folder that is a file", a_file),
        ("backup folder in /proc", "/proc/dbm-backups".to_string()),
        ("backup folder /", "/".to_string()),
        ("backup folder of 100 kB", format!("/tmp/{}", long(100_000))),
    ] {
        let result = match &before {
            Some(settings) => {
                let mut changed = settings.clone();
                changed.backup_root = root;
                changed.save(&store).map(|_| ()).map_err(|p| p.to_string())
            }
            None => Ok(()),
        };
        let unchanged = dbm_engine::settings::AppSettings::load(&store).ok() == before;
        expect_err(what, if unchanged { result } else { Ok(()) });
    }
    tried
}
