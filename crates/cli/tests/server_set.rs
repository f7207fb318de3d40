//! Whole servers, through `dbm`, against real servers and Docker: a set of four databases
//! (names with a space, non-ASCII letters, `=`) and two roles restored with `--all` into a
//! second, empty server of the same major started here, with equal tables and working logins;
//! a database made between runs joins the next set, an excluded one never does, one dropped
//! while the set runs makes it partial with pg_dump's words; a user who may not read role
//! passwords gets globals without them, said so; bad input changes nothing.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::{pg_password, port, run_dbm, text};

/// psql as `user` on `port`, the database named through PGDATABASE (never parsed as conninfo).
fn sql_at(port: &str, password: &str, user: &str, database: &str, sql: &str) -> Output {
    Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-U",
            user,
            "-AtqX",
            "-c",
            sql,
        ])
        .env("PGPASSWORD", password)
        .env("PGDATABASE", database)
        .output()
        .unwrap()
}

fn sql(major: u32, database: &str, statement: &str) -> String {
    let output = sql_at(
        &port(major),
        &pg_password(),
        "postgres",
        database,
        statement,
    );
    assert!(output.status.success(), "{statement}: {}", text(&output));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(output)))
}

/// A throwaway `postgres:<major>` server on a free loopback port, removed when dropped.
struct TargetServer {
    name: String,
    port: String,
    password: String,
}

impl TargetServer {
    fn start(major: u32) -> TargetServer {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port().to_string();
        drop(free);
        let name = format!("dbm-test-set-target-{}-{major}", std::process::id());
        let password = format!("target {major} pw");
        let _ = Command::new("docker").args(["rm", "-f", &name]).output();
        let started = Command::new("docker")
            .args([
                "run",
                "-d",
                "--name",
                &name,
                "--label",
                "dev.dbm.test=server-set",
                // Host networking (the daemon may have no bridge, ENVIRONMENT.md): the server
                // listens on the free port itself (the image's postgres reads PGPORT).
                "--network",
                "host",
                "-e",
                &format!("PGPORT={port}"),
                "-e",
                &format!("POSTGRES_PASSWORD={password}"),
                &format!("postgres:{major}"),
                "-c",
                "listen_addresses=127.0.0.1",
            ])
            .output()
            .unwrap();
        assert!(started.status.success(), "{}", text(&started));
        let target = TargetServer {
            name,
            port,
            password,
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        // The image's entrypoint restarts the server once after initdb: wait for two answers.
        let mut answers = 0;
        while answers < 2 {
            assert!(Instant::now() < deadline, "the target server did not start");
            if target.sql("postgres", "SELECT 1").status.success() {
                answers += 1;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        target
    }

    fn sql(&self, database: &str, statement: &str) -> Output {
        sql_at(&self.port, &self.password, "postgres", database, statement)
    }

    fn value(&self, database: &str, statement: &str) -> String {
        let output = self.sql(database, statement);
        assert!(output.status.success(), "{statement}: {}", text(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }
}

impl Drop for TargetServer {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", &self.name])
            .output();
    }
}

const FINGERPRINT: &str =
    "SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY g)) FROM t";

fn add_server_connection(data: &Path, name: &str, major: u32, extra: &[&str]) -> Output {
    let port = port(major);
    let mut args = vec![
        "connection",
        "add",
        "--name",
        name,
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--user",
        "postgres",
        "--password-stdin",
        "--all-databases",
        "--json",
    ];
    args.extend_from_slice(extra);
    run_dbm(data, &args, Some(&format!("{}\n", pg_password())))
}

/// Four databases and two roles on `major`, backed up as a set and restored with --all into
/// an empty server of the same major.
fn whole_server_round_trip(major: u32) {
    let dir = tempfile::tempdir().unwrap();
    let tag = format!("dbmset{major}");
    let databases = [
        format!("{tag} with space"),
        format!("{tag}_ünï"),
        format!("{tag}_a=b"),
        format!("{tag}_plain"),
    ];
    let (owner, reader) = (format!("{tag}_owner"), format!("{tag}_reader"));
    let owner_password = format!("pw ünï {major}");
    for db in &databases {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS \"{db}\""),
        );
    }
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {owner}"));
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {reader}"));
    sql(major, "postgres", &format!("CREATE ROLE {reader} NOLOGIN"));
    sql(
        major,
        "postgres",
        &format!("CREATE ROLE {owner} LOGIN PASSWORD '{owner_password}'"),
    );
    sql(major, "postgres", &format!("GRANT {reader} TO {owner}"));
    for (index, db) in databases.iter().enumerate() {
        sql(major, "postgres", &format!("CREATE DATABASE \"{db}\""));
        sql(
            major,
            db,
            &format!(
                "CREATE TABLE t AS SELECT g, md5(g::text) AS h, 'ünï ' || g AS s
                 FROM generate_series(1, {}) g",
                100 * (index + 1)
            ),
        );
    }
    sql(
        major,
        &databases[0],
        &format!("ALTER TABLE t OWNER TO {owner}"),
    );

    let data = dir.path().join("data");
    let pattern = format!("{tag}*");
    let added = add_server_connection(&data, "whole", major, &["--include", &pattern]);
    assert!(added.status.success(), "{}", text(&added));
    let listed = run_dbm(&data, &["connection", "databases", "whole", "--json"], None);
    assert!(listed.status.success(), "{}", text(&listed));
    let taken: Vec<String> = json(&listed)
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["taken"] == true)
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    let mut expected = databases.to_vec();
    expected.sort();
    assert_eq!(taken, expected);

    let ran = run_dbm(&data, &["backup", "run", "whole", "--json"], None);
    assert!(ran.status.success(), "{}", text(&ran));
    let set = json(&ran);
    assert_eq!(set["status"], "completed", "{set}");
    assert_eq!(set["kind"], "server");
    let parts = set["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 4, "{set}");
    for part in parts {
        assert_eq!(part["status"], "completed", "{part}");
        let file = part["filePath"].as_str().unwrap();
        assert_eq!(
            std::fs::metadata(file).unwrap().len() as i64,
            part["sizeBytes"].as_i64().unwrap()
        );
        assert_eq!(part["sha256"].as_str().unwrap().len(), 64);
    }
    assert_eq!(set["globals"]["status"], "completed");
    assert_eq!(set["globals"]["rolePasswords"], true);
    let folder = Path::new(set["filePath"].as_str().unwrap());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["databases"].as_array().unwrap().len(), 4);
    assert!(manifest["leftOut"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["name"] == "template1" && l["reason"] == "a template"));
    let id = set["id"].to_string();
    let shown = run_dbm(&data, &["backup", "show", &id], None);
    assert!(text(&shown).contains(&databases[1]), "{}", text(&shown));

    let target = TargetServer::start(major);
    let connected = run_dbm(
        &data,
        &[
            "connection",
            "add",
            "--name",
            "target",
            "--host",
            "127.0.0.1",
            "--port",
            &target.port,
            "--database",
            "postgres",
            "--user",
            "postgres",
            "--password-stdin",
        ],
        Some(&format!("{}\n", target.password)),
    );
    assert!(connected.status.success(), "{}", text(&connected));
    let restored = run_dbm(
        &data,
        &["restore", &id, "--to", "target", "--all", "--json"],
        None,
    );
    assert!(restored.status.success(), "{}", text(&restored));
    let outcome = json(&restored);
    assert_eq!(
        outcome["databases"].as_array().unwrap().len(),
        4,
        "{outcome}"
    );
    assert!(
        outcome["rolesCreated"]
            .as_array()
            .unwrap()
            .contains(&owner.clone().into()),
        "{outcome}"
    );
    for db in &databases {
        assert_eq!(
            target.value(db, FINGERPRINT),
            sql(major, db, FINGERPRINT),
            "{db} restored equal"
        );
    }
    assert_eq!(
        target.value(
            "postgres",
            &format!("SELECT pg_has_role('{owner}', '{reader}', 'MEMBER')")
        ),
        "t"
    );
    let login = sql_at(
        &target.port,
        &owner_password,
        &owner,
        &databases[0],
        "SELECT count(*) FROM t",
    );
    assert!(
        login.status.success(),
        "the restored role logs in: {}",
        text(&login)
    );
    assert_eq!(String::from_utf8_lossy(&login.stdout).trim(), "100");

    // Again, without --force: refused, nothing changed.
    target.value(&databases[3], "INSERT INTO t (g) VALUES (-1)");
    let again = run_dbm(&data, &["restore", &id, "--to", "target", "--all"], None);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("already has 4 of the set's databases"),
        "{}",
        text(&again)
    );
    assert_eq!(
        target.value(&databases[3], "SELECT count(*) FROM t WHERE g = -1"),
        "1"
    );

    for db in &databases {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS \"{db}\""),
        );
    }
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {owner}"));
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {reader}"));
}

#[test]
fn a_whole_server_on_13_restores_into_an_empty_server_with_its_roles() {
    whole_server_round_trip(13);
}

#[test]
fn a_whole_server_on_16_restores_into_an_empty_server_with_its_roles() {
    whole_server_round_trip(16);
}

#[test]
fn a_whole_server_on_18_restores_into_an_empty_server_with_its_roles() {
    whole_server_round_trip(18);
}

#[test]
fn sets_follow_the_server_new_databases_join_excluded_stay_out_and_a_dropped_one_makes_it_partial()
{
    let major = 17;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let names = [
        "dbmsetlive_a",
        "dbmsetlive_b",
        "dbmsetlive_skip",
        "dbmsetlive_new",
    ];
    for db in names {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
    }
    for db in &names[..3] {
        sql(major, "postgres", &format!("CREATE DATABASE {db}"));
        sql(
            major,
            db,
            "CREATE TABLE t AS SELECT generate_series(1, 50) g",
        );
    }
    let added = add_server_connection(
        &data,
        "live",
        major,
        &["--include", "dbmsetlive_*", "--exclude", "*_skip"],
    );
    assert!(added.status.success(), "{}", text(&added));
    let databases = |set: &serde_json::Value| -> Vec<String> {
        set["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["database"].as_str().unwrap().to_string())
            .collect()
    };
    let first = run_dbm(&data, &["backup", "run", "live", "--json"], None);
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(databases(&json(&first)), ["dbmsetlive_a", "dbmsetlive_b"]);

    sql(major, "postgres", "CREATE DATABASE dbmsetlive_new");
    let second = run_dbm(&data, &["backup", "run", "live", "--json"], None);
    assert!(second.status.success(), "{}", text(&second));
    assert_eq!(
        databases(&json(&second)),
        ["dbmsetlive_a", "dbmsetlive_b", "dbmsetlive_new"]
    );

    // dbmsetlive_b's dump waits on a lock; the database is dropped under it.
    let mut locker = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port(major),
            "-U",
            "postgres",
            "-qX",
        ])
        .env("PGPASSWORD", pg_password())
        .env("PGDATABASE", "dbmsetlive_b")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let stdin = locker.stdin.as_mut().unwrap();
        writeln!(stdin, "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;").unwrap();
        stdin.flush().unwrap();
    }
    let running = support::dbm_command(&data)
        .args(["backup", "run", "live", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let waiting = sql(
            major,
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'dbmsetlive_b'
             AND application_name LIKE 'dbm-backup-%' AND wait_event_type = 'Lock'",
        );
        if waiting != "0" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pg_dump never waited on the lock"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    sql(major, "postgres", "DROP DATABASE dbmsetlive_b WITH (FORCE)");
    let _ = locker.kill();
    let _ = locker.wait();
    let third = running.wait_with_output().unwrap();
    assert!(!third.status.success(), "a partial set is not a success");
    let set = json(&third);
    assert_eq!(set["status"], "partial", "{set}");
    let dropped = set["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["database"] == "dbmsetlive_b")
        .unwrap();
    assert_eq!(dropped["status"], "failed", "{dropped}");
    let why = dropped["errorMessage"].as_str().unwrap_or_default();
    assert!(why.contains("pg_dump"), "pg_dump's words: {why}");
    assert!(
        set["errorMessage"]
            .as_str()
            .unwrap()
            .contains("dbmsetlive_b"),
        "{set}"
    );
    for db in ["dbmsetlive_a", "dbmsetlive_new"] {
        let part = set["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["database"] == db)
            .unwrap();
        assert_eq!(part["status"], "completed", "{part}");
    }
    let listed = run_dbm(&data, &["backup", "list", "--parts"], None);
    assert!(text(&listed).contains("partial"), "{}", text(&listed));
    let stats = json(&run_dbm(&data, &["stats", "--json"], None));
    assert_eq!(stats["sets"], 3, "{stats}");
    assert_eq!(stats["partial"], 1, "{stats}");
    assert_eq!(stats["setDatabases"], 2 + 3 + 2, "{stats}");

    for db in names {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
    }
}

#[test]
fn a_user_who_may_not_read_passwords_gets_globals_without_them_said_on_the_set() {
    let major = 17;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (user, password, db) = ("dbmset_plainuser", "plain user pw", "dbmset_plain_own");
    sql(
        major,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
    );
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {user}"));
    sql(
        major,
        "postgres",
        &format!("CREATE ROLE {user} LOGIN CREATEDB PASSWORD '{password}'"),
    );
    sql(
        major,
        "postgres",
        &format!("CREATE DATABASE {db} OWNER {user}"),
    );
    let port = port(major);
    let added = run_dbm(
        &data,
        &[
            "connection",
            "add",
            "--name",
            "plain",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--user",
            user,
            "--password-stdin",
            "--all-databases",
            "--include",
            db,
        ],
        Some(&format!("{password}\n")),
    );
    assert!(added.status.success(), "{}", text(&added));
    let ran = run_dbm(&data, &["backup", "run", "plain", "--json"], None);
    assert!(ran.status.success(), "{}", text(&ran));
    let set = json(&ran);
    assert_eq!(set["status"], "completed", "{set}");
    assert_eq!(set["globals"]["status"], "completed", "{set}");
    assert_eq!(set["globals"]["rolePasswords"], false, "{set}");
    let globals = std::fs::read_to_string(set["globals"]["filePath"].as_str().unwrap()).unwrap();
    assert!(globals.contains(user), "the roles are there");
    assert!(
        !globals.contains("SCRAM-SHA-256$"),
        "without their passwords"
    );
    let shown = run_dbm(&data, &["backup", "show", &set["id"].to_string()], None);
    assert!(
        text(&shown).contains("without role passwords"),
        "{}",
        text(&shown)
    );
    sql(
        major,
        "postgres",
        &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
    );
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {user}"));
}

#[test]
fn patterns_that_leave_nothing_and_a_missing_maintenance_database_are_refused_before_any_dump() {
    let major = 17;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad_glob = add_server_connection(&data, "bad", major, &["--include", "[unclosed"]);
    assert!(!bad_glob.status.success());
    assert!(
        text(&bad_glob).contains("is not a database name pattern"),
        "{}",
        text(&bad_glob)
    );
    let single = run_dbm(
        &data,
        &[
            "connection",
            "add",
            "--name",
            "one",
            "--host",
            "127.0.0.1",
            "--port",
            "5432",
            "--database",
            "x",
            "--user",
            "u",
            "--exclude",
            "a*",
        ],
        None,
    );
    assert!(!single.status.success());
    assert!(
        text(&single).contains("choose among a server's databases"),
        "{}",
        text(&single)
    );

    let added = add_server_connection(
        &data,
        "nothing",
        major,
        &["--include", "dbmset_none_*", "--exclude", "*"],
    );
    assert!(added.status.success(), "{}", text(&added));
    let listed = run_dbm(&data, &["connection", "databases", "nothing"], None);
    assert!(!listed.status.success());
    let ran = run_dbm(&data, &["backup", "run", "nothing", "--json"], None);
    assert!(!ran.status.success());
    let set = json(&ran);
    assert_eq!(set["status"], "failed");
    assert!(
        set["errorMessage"]
            .as_str()
            .unwrap()
            .contains("leave none of the server's"),
        "{set}"
    );
    assert_eq!(
        set["filePath"],
        serde_json::Value::Null,
        "no folder was made"
    );
    assert!(!dir
        .path()
        .join("data")
        .join("backups")
        .join("nothing")
        .exists());

    let missing = add_server_connection(
        &data,
        "missing",
        major,
        &["--database", "dbmset_no_such_maintenance"],
    );
    assert!(missing.status.success(), "{}", text(&missing));
    let ran = run_dbm(&data, &["backup", "run", "missing", "--json"], None);
    assert!(!ran.status.success());
    let error = json(&ran)["errorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("dbmset_no_such_maintenance"), "{error}");
}

#[test]
fn sets_are_verified_by_restore_pruned_whole_and_one_part_restores_into_a_new_database() {
    let major = 16;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let names = ["dbmsetkeep_a", "dbmsetkeep_b"];
    let (user, password) = ("dbmsetkeep_user", "keep user pw");
    for db in names {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
    }
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {user}"));
    sql(
        major,
        "postgres",
        &format!("CREATE ROLE {user} LOGIN CREATEDB PASSWORD '{password}'"),
    );
    for db in names {
        sql(major, "postgres", &format!("CREATE DATABASE {db}"));
        sql(
            major,
            db,
            "CREATE TABLE t AS SELECT generate_series(1, 300) g",
        );
        sql(major, db, &format!("GRANT SELECT ON t TO {user}"));
    }
    sql(
        major,
        "postgres",
        "DROP DATABASE IF EXISTS dbmsetkeep_copy WITH (FORCE)",
    );
    let port = port(major);
    let added = run_dbm(
        &data,
        &[
            "connection",
            "add",
            "--name",
            "keep",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--user",
            user,
            "--password-stdin",
            "--all-databases",
            "--include",
            "dbmsetkeep_?",
        ],
        Some(&format!("{password}\n")),
    );
    assert!(added.status.success(), "{}", text(&added));
    let schedule = run_dbm(
        &data,
        &[
            "schedule",
            "add",
            "--connection",
            "keep",
            "--name",
            "sets",
            "--cron",
            "@yearly",
            "--keep-last",
            "2",
            "--verify-every",
            "none",
            "--paused",
        ],
        None,
    );
    assert!(schedule.status.success(), "{}", text(&schedule));
    let mut sets = Vec::new();
    for run in 0..5 {
        // The middle set is partial: its user may not connect to one database meanwhile.
        let connect = if run == 2 { "REVOKE" } else { "GRANT" };
        let to = if run == 2 { "FROM" } else { "TO" };
        sql(
            major,
            "postgres",
            &format!("{connect} CONNECT ON DATABASE dbmsetkeep_b {to} PUBLIC"),
        );
        let ran = run_dbm(&data, &["schedule", "run", "sets", "--json"], None);
        let set = json(&ran);
        if run == 2 {
            let why = set["errorMessage"].as_str().unwrap_or_default();
            assert!(why.contains("permission denied for database"), "{set}");
        }
        sets.push((
            set["id"].as_i64().unwrap(),
            set["status"].as_str().unwrap().to_string(),
            set["filePath"].as_str().unwrap_or_default().to_string(),
        ));
    }
    let statuses: Vec<&str> = sets.iter().map(|(_, status, _)| status.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "completed",
            "completed",
            "partial",
            "completed",
            "completed"
        ]
    );
    let (newest, second) = (&sets[4], &sets[3]);
    for (id, _, folder) in &sets {
        let shown = run_dbm(&data, &["backup", "show", &id.to_string(), "--json"], None);
        let kept = *id == newest.0 || *id == second.0;
        assert_eq!(shown.status.success(), kept, "set {id}: {}", text(&shown));
        assert_eq!(
            Path::new(folder).exists(),
            kept,
            "{folder} goes with its set, whole"
        );
    }

    let verified = run_dbm(
        &data,
        &[
            "backup",
            "verify",
            &newest.0.to_string(),
            "--restore",
            "--json",
        ],
        None,
    );
    assert!(verified.status.success(), "{}", text(&verified));
    let verification = json(&verified);
    assert_eq!(verification["ok"], true, "{verification}");
    let checks: Vec<String> = verification["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    for db in names {
        assert!(checks.contains(&format!("{db}: sha256")), "{checks:?}");
        assert!(checks.contains(&format!("{db}: archive")), "{checks:?}");
        assert!(checks.contains(&format!("{db}: row counts")), "{checks:?}");
    }
    let restores: Vec<&serde_json::Value> = verification["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "restore")
        .collect();
    assert_eq!(
        restores.len(),
        1,
        "one throwaway server for the set: {verification}"
    );
    assert!(
        restores[0]["detail"]
            .as_str()
            .unwrap()
            .contains("2 databases, their roles first"),
        "{verification}"
    );
    let tables: Vec<String> = verification["restoredTables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap().to_string())
        .collect();
    assert!(
        tables.contains(&"dbmsetkeep_a/public.t".to_string()),
        "{tables:?}"
    );

    // One part into a new database of the same server (as its superuser).
    let source = run_dbm(
        &data,
        &[
            "connection",
            "add",
            "--name",
            "one",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--database",
            "postgres",
            "--user",
            "postgres",
            "--password-stdin",
        ],
        Some(&format!("{}\n", pg_password())),
    );
    assert!(source.status.success(), "{}", text(&source));
    let restored = run_dbm(
        &data,
        &[
            "restore",
            &newest.0.to_string(),
            "--to",
            "one",
            "--part",
            "dbmsetkeep_b",
            "--database",
            "dbmsetkeep_copy",
            "--create",
        ],
        None,
    );
    assert!(restored.status.success(), "{}", text(&restored));
    assert_eq!(
        sql(major, "dbmsetkeep_copy", "SELECT count(*) FROM t"),
        "300"
    );
    let unknown = run_dbm(
        &data,
        &[
            "restore",
            &newest.0.to_string(),
            "--to",
            "one",
            "--part",
            "nope",
            "--database",
            "x",
            "--create",
        ],
        None,
    );
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("has no database \"nope\""),
        "{}",
        text(&unknown)
    );
    let whole = run_dbm(
        &data,
        &["restore", &newest.0.to_string(), "--to", "one"],
        None,
    );
    assert!(!whole.status.success());
    assert!(text(&whole).contains("is a server set"), "{}", text(&whole));

    for db in names.iter().chain(&["dbmsetkeep_copy"]) {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
    }
    sql(major, "postgres", &format!("DROP ROLE IF EXISTS {user}"));
}

#[test]
fn a_set_stopped_at_its_time_limit_keeps_nothing_and_says_no_part_was_kept() {
    let major = 17;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for db in ["dbmsetstop_free", "dbmsetstop_held"] {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
        sql(major, "postgres", &format!("CREATE DATABASE {db}"));
        sql(
            major,
            db,
            "CREATE TABLE t AS SELECT generate_series(1, 50) g",
        );
    }
    let added = add_server_connection(&data, "stopped", major, &["--include", "dbmsetstop_*"]);
    assert!(added.status.success(), "{}", text(&added));
    let mut locker = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port(major),
            "-U",
            "postgres",
            "-qX",
        ])
        .env("PGPASSWORD", pg_password())
        .env("PGDATABASE", "dbmsetstop_held")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let stdin = locker.stdin.as_mut().unwrap();
        writeln!(stdin, "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;").unwrap();
        stdin.flush().unwrap();
    }
    std::thread::sleep(Duration::from_secs(1));
    let ran = run_dbm(
        &data,
        &["backup", "run", "stopped", "--time-limit", "10s", "--json"],
        None,
    );
    let _ = locker.kill();
    let _ = locker.wait();
    assert!(!ran.status.success());
    let set = json(&ran);
    assert_eq!(set["status"], "failed", "{set}");
    assert!(
        set["errorMessage"]
            .as_str()
            .unwrap()
            .contains("time limit of 10 seconds"),
        "{set}"
    );
    let folder = set["filePath"].as_str().unwrap_or_default();
    assert!(!Path::new(folder).exists(), "no folder is kept: {folder}");
    for part in set["parts"].as_array().unwrap() {
        assert_ne!(
            part["status"], "completed",
            "nothing of a stopped set is kept: {part}"
        );
        assert_eq!(part["filePath"], serde_json::Value::Null, "{part}");
    }
    let free = set["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["database"] == "dbmsetstop_free")
        .unwrap();
    assert!(
        free["errorMessage"]
            .as_str()
            .unwrap()
            .contains("dumped, then not kept"),
        "{free}"
    );
    assert!(support::partials(&data.join("backups")).is_empty());
    for db in ["dbmsetstop_free", "dbmsetstop_held"] {
        sql(
            major,
            "postgres",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
    }
}
