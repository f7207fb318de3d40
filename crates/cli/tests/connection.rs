//! `dbm connection …` end to end: real servers 13–18, the real keyring, and a password that
//! appears in no output, log or file.

mod support;

use std::path::Path;
use std::process::Output;

use support::{pg_password, port, run_dbm as dbm, text};

fn add(dir: &Path, name: &str, major: u32, password: &str) -> Output {
    support::add_connection(dir, name, major, "postgres", password)
}

#[test]
fn add_then_test_prints_the_detected_version_of_each_server() {
    let dir = tempfile::tempdir().unwrap();
    for major in 13..=18 {
        let name = format!("server {major}");
        let added = add(dir.path(), &name, major, &pg_password());
        assert!(added.status.success(), "{}", text(&added));
        let tested = dbm(dir.path(), &["connection", "test", &name], None);
        let out = text(&tested);
        assert!(tested.status.success(), "{out}");
        assert!(out.contains(&format!("PostgreSQL {major}.")), "{out}");
        assert!(out.contains(&format!("(major {major})")), "{out}");
    }
    let listed = dbm(dir.path(), &["connection", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let majors: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["majorVersion"].as_u64().unwrap())
        .collect();
    assert_eq!(majors, [13, 14, 15, 16, 17, 18]);
}

#[test]
fn the_password_never_appears_in_output_logs_or_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let password = format!("S3cret-{}-p@ss:w/rd %", std::process::id());
    let mut outputs = vec![add(dir.path(), "secret", 16, &password)];
    for args in [
        &["connection", "list", "--json"][..],
        &["connection", "show", "secret", "--json"],
        &["connection", "show", "secret"],
        &["connection", "test", "secret", "--json"],
        &["connection", "update", "secret", "--port", "abc"],
        &["doctor", "--json"],
    ] {
        outputs.push(dbm(dir.path(), args, None));
    }
    // A wrong password's error must not echo it either.
    outputs.push(dbm(
        dir.path(),
        &["connection", "update", "secret", "--password-stdin"],
        Some("wrong-one-xyz\n"),
    ));
    outputs.push(dbm(dir.path(), &["connection", "test", "secret"], None));
    let last = outputs.last().unwrap();
    assert!(!last.status.success());
    assert!(
        text(last).contains("refused the password"),
        "{}",
        text(last)
    );

    for output in &outputs {
        let all = text(output);
        assert!(
            !all.contains(&password) && !all.contains("wrong-one-xyz"),
            "leaked: {all}"
        );
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes
            .windows(password.len())
            .any(|w| w == password.as_bytes()));
    }
}

#[test]
fn updating_without_a_password_keeps_it_and_remove_deletes_the_connection() {
    let dir = tempfile::tempdir().unwrap();
    assert!(add(dir.path(), "keep", 15, &pg_password()).status.success());
    let renamed = dbm(
        dir.path(),
        &["connection", "update", "keep", "--name", "kept"],
        None,
    );
    assert!(renamed.status.success(), "{}", text(&renamed));
    let tested = dbm(dir.path(), &["connection", "test", "kept"], None);
    assert!(
        tested.status.success(),
        "the old password still works: {}",
        text(&tested)
    );

    let removed = dbm(dir.path(), &["connection", "remove", "kept"], None);
    assert!(removed.status.success(), "{}", text(&removed));
    let again = dbm(dir.path(), &["connection", "remove", "kept"], None);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("no saved connection \"kept\""),
        "{}",
        text(&again)
    );
}

#[test]
fn a_uri_with_a_password_is_taken_only_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!(
        "postgres://postgres:{}@127.0.0.1:{}/postgres",
        pg_password(),
        port(17)
    );
    let refused = dbm(dir.path(), &["connection", "add", "--uri", &uri], None);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--uri-stdin"), "{}", text(&refused));

    let added = dbm(
        dir.path(),
        &["connection", "add", "--uri-stdin", "--name", "from uri"],
        Some(&uri),
    );
    assert!(added.status.success(), "{}", text(&added));
    let tested = dbm(dir.path(), &["connection", "test", "from uri"], None);
    assert!(
        text(&tested).contains("PostgreSQL 17."),
        "{}",
        text(&tested)
    );
}

#[test]
fn bad_input_is_refused_with_what_to_do_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "connection",
        "add",
        "--name",
        "n",
        "--database",
        "d",
        "--user",
        "u",
    ];
    let cases: [(&[&str], &str); 5] = [
        (&["--host", "h", "--port", "0"], "1 to 65535"),
        (&["--host", "h", "--port", "70000"], "1 to 65535"),
        (&["--host", "h", "--port", "abc"], "not a number"),
        (&["--host", "", "--port", "5432"], "host"),
        (
            &["--host", "h", "--sslmode", "sometimes"],
            "disable, prefer, require",
        ),
    ];
    for (extra, expected) in cases {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let output = dbm(dir.path(), &args, None);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            text(&output).contains(expected),
            "{args:?}: {}",
            text(&output)
        );
    }
    let empty_stdin = dbm(
        dir.path(),
        &[&base[..], &["--host", "h", "--password-stdin"]].concat(),
        Some(""),
    );
    assert!(
        text(&empty_stdin).contains("stdin was empty"),
        "{}",
        text(&empty_stdin)
    );
    let listed = dbm(dir.path(), &["connection", "list", "--json"], None);
    assert_eq!(String::from_utf8_lossy(&listed.stdout).trim(), "[]");
}

/// A keyring that hangs (an unlock prompt nobody answers, a stuck service) stalls only the call
/// that waits on it: the store is not locked meanwhile, so another dbm saves a connection at
/// once. Run in a private desktop session of its own, whose keyring daemon is frozen (SIGSTOP)
/// and thawed: the shared one serves the other tests.
#[test]
fn a_frozen_keyring_does_not_lock_the_store_for_other_processes() {
    let dir = tempfile::tempdir().unwrap();
    let session = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/testenv/session.sh"
    );
    let scenario = r#"
        set -u
        reply=$(gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
                  -m org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets)
        keyring=$(echo "$reply" | sed -E 's/.*uint32 ([0-9]+).*/\1/')
        kill -STOP "$keyring"
        printf 'pw-frozen\n' | "$DBM" connection add --name frozen --host 127.0.0.1 --port 5432 \
            --database app --user app --password-stdin >"$OUT/frozen.log" 2>&1 &
        frozen=$!
        sleep 2
        "$DBM" connection add --name free --host 127.0.0.1 --port 5432 --database app --user app \
            >"$OUT/free.log" 2>&1
        echo "free=$?"
        kill -0 "$frozen" 2>/dev/null && echo "frozen=waiting"
        kill -CONT "$keyring"
        wait "$frozen"
        echo "frozen=$?"
    "#;
    let output = std::process::Command::new("bash")
        .arg(session)
        .args(["sh", "-c", scenario])
        .env("DBM", env!("CARGO_BIN_EXE_dbm"))
        .env("DBM_DATA_DIR", dir.path())
        .env("OUT", dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    let log = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    assert!(
        said.contains("free=0"),
        "the other dbm saved its connection while the keyring hung: {said} {}",
        log("free.log")
    );
    assert!(
        said.contains("frozen=waiting"),
        "the first one was still waiting: {said}"
    );
    assert!(
        said.contains("frozen=0"),
        "and finished once the keyring answered: {said} {}",
        log("frozen.log")
    );
    let listed = dbm(dir.path(), &["connection", "list", "--json"], None);
    let names: Vec<String> = serde_json::from_slice::<serde_json::Value>(&listed.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["free", "frozen"]);
}
