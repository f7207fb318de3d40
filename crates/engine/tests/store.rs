//! The app's database: created, migrated, reopened; newer or damaged files refused untouched.

use dbm_engine::model::Code;
use dbm_engine::store::{latest_version, Store, StoreError, DATABASE_FILE};

#[test]
fn a_new_data_dir_gets_a_private_database_at_the_latest_schema_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("nested").join("data");
    let store = Store::open_in(&data_dir).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest_version());
    assert_eq!(store.path(), data_dir.join(DATABASE_FILE));

    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        tables,
        [
            "backup",
            "backup_part",
            "connection",
            "copy",
            "location",
            "missed_run",
            "overdue_notice",
            "proof",
            "schedule",
            "setting"
        ]
    );
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('connection')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        !columns.iter().any(|c| c.contains("password")),
        "no password column: {columns:?}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data_dir), 0o700);
        assert_eq!(mode(store.path()), 0o600);
    }
}

#[test]
fn reopening_keeps_the_data_and_does_not_migrate_twice() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open_in(dir.path()).unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
        conn.execute(
            "INSERT INTO setting(key, value) VALUES ('engine', 'docker')",
            [],
        )
        .unwrap();
    }
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest_version());
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let value: String = conn
        .query_row("SELECT value FROM setting WHERE key = 'engine'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(value, "docker");
}

#[test]
fn several_openers_of_a_new_database_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Store::open_in(&path).map(|s| s.schema_version().unwrap()))
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap().unwrap(), latest_version());
    }
}

#[test]
fn a_database_from_a_newer_schema_is_refused_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future(x); PRAGMA user_version = 999;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    let error = Store::open_in(dir.path()).unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found: 999, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Code::DatabaseNewerSchema);
    let message = error.to_string();
    assert!(message.contains("newer"), "{message}");
    assert!(message.contains("999"), "{message}");
    assert!(message.contains("Update"), "says what to do: {message}");

    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(
        !dir.path().join("dbm.sqlite3-wal").exists(),
        "no WAL was started"
    );
}

#[test]
fn a_damaged_database_is_refused_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();

    let error = Store::open_in(dir.path()).unwrap_err();
    assert_eq!(error.code(), Code::DatabaseCorrupt, "{error:?}");
    assert!(error.to_string().contains("left untouched"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_data_dir_that_cannot_be_created_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let error = Store::open_in(&file.join("data")).unwrap_err();
    assert_eq!(error.code(), Code::DataDirUnusable, "{error:?}");
    let message = error.to_string();
    assert!(message.contains("DBM_DATA_DIR"), "{message}");
    assert!(
        message.contains(&file.join("data").display().to_string()),
        "{message}"
    );
}
