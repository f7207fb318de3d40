//! Removing a connection keeps its history: its backups stay listed under its name, verifiable
//! and restorable into another connection, unless the user asks to delete them with their
//! files; never while one of its backups runs. The schema change keeps every existing row.
//! Real servers, real Docker, the real keyring.

mod support;

use dbm_engine::model::{BackupStatus, Code, DumpFormat};
use std::path::PathBuf;

use dbm_engine::backups::{BackupFilter, Backups};
use dbm_engine::connections::Connections;
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::library::connection_removal::{preview, remove};
use dbm_engine::library::restore::{restore, RestoreRequest};
use dbm_engine::library::verify::{verify, RestoreCheck};
use dbm_engine::settings::EnginePolicy;
use dbm_engine::store::Store;
use support::backup::{add_connection, setup, spawn_backup};
use support::database;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_connections_backups_stay_listed_verifiable_and_restorable_elsewhere() {
    database::chinook(16, "dbm_removal_keep").await;
    let setup = setup(16, "dbm_removal_keep");
    let name = Connections::new(&setup.store)
        .get(setup.connection)
        .unwrap()
        .name;
    let first = setup.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    let second = setup.backup(DumpFormat::Plain, EnginePolicy::Docker).await;
    assert_eq!(second.status, BackupStatus::Completed);
    let other = add_connection(&setup.store, 16, "postgres");

    let asked = preview(&setup.store, setup.connection).unwrap();
    assert_eq!(asked.backups, 2);
    assert_eq!(
        asked.bytes as i64,
        first.size_bytes.unwrap() + second.size_bytes.unwrap()
    );
    let removed = remove(&setup.store, setup.connection, false).unwrap();
    assert_eq!((removed.kept_backups, removed.deleted_backups), (2, 0));

    let connections = Connections::new(&setup.store);
    assert!(connections
        .list()
        .unwrap()
        .iter()
        .all(|c| c.id != setup.connection));
    assert_eq!(
        connections.find(&name).unwrap_err().code,
        Code::ConnectionNotFound
    );
    assert!(
        connections.password(setup.connection).unwrap().is_none(),
        "the password left the keyring"
    );
    let listed = Backups::new(&setup.store)
        .list(&BackupFilter::default(), 50, 0)
        .unwrap();
    assert_eq!(listed.len(), 2);
    for backup in &listed {
        assert_eq!(backup.connection_name, name);
        assert!(backup.connection_removed);
        assert!(PathBuf::from(backup.file_path.clone().unwrap()).exists());
    }
    let checked = verify(setup.store.clone(), first.id, RestoreCheck::None)
        .await
        .unwrap();
    assert!(checked.ok, "{checked:?}");
    // Restored into another connection's server, as a new database.
    database::drop(16, "dbm_removal_restored").await;
    let request = RestoreRequest {
        backup_id: first.id,
        connection_id: other,
        database: Some("dbm_removal_restored".into()),
        create: true,
        clean: false,
        no_owner: true,
        single_transaction: false,
        allow_non_empty: false,
        part: None,
    };
    restore(
        setup.store.clone(),
        &request,
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        database::fingerprint(16, "dbm_removal_restored").await,
        database::fingerprint(16, "dbm_removal_keep").await
    );
    // The name is free again.
    let again = add_connection(&setup.store, 16, "dbm_removal_keep");
    assert_ne!(again, setup.connection);
    database::drop(16, "dbm_removal_restored").await;
    database::drop(16, "dbm_removal_keep").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_with_its_backups_deletes_their_files_and_records() {
    let setup = setup(15, "postgres");
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Docker).await;
    let file = PathBuf::from(backup.file_path.clone().unwrap());
    assert!(file.exists());
    let removed = remove(&setup.store, setup.connection, true).unwrap();
    assert_eq!((removed.kept_backups, removed.deleted_backups), (0, 1));
    assert!(!file.exists());
    assert_eq!(
        Backups::new(&setup.store)
            .count(&BackupFilter::default())
            .unwrap(),
        0
    );
    assert_eq!(
        Connections::new(&setup.store)
            .get(setup.connection)
            .unwrap_err()
            .code,
        Code::ConnectionNotFound
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_is_not_removed_while_its_backup_runs() {
    database::recreate(17, "dbm_removal_busy").await;
    let client = database::client(17, "dbm_removal_busy").await;
    client
        .batch_execute("CREATE TABLE t AS SELECT generate_series(1, 100) g")
        .await
        .unwrap();
    client
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let setup = setup(17, "dbm_removal_busy");
    let run = spawn_backup(
        &setup,
        DumpOptions::default(),
        EnginePolicy::Docker,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(17, "dbm_removal_busy").await;
    let problem = remove(&setup.store, setup.connection, true).unwrap_err();
    assert_eq!(problem.code, Code::ConnectionBusy, "{problem}");
    assert!(Connections::new(&setup.store)
        .password(setup.connection)
        .unwrap()
        .is_some());
    drop(client);
    let finished = run.await.unwrap();
    assert_eq!(finished.status, BackupStatus::Completed, "{finished:?}");
    assert_eq!(
        finished.connection_name,
        Connections::new(&setup.store)
            .get(setup.connection)
            .unwrap()
            .name
    );
    database::drop(17, "dbm_removal_busy").await;
}

#[test]
fn the_schema_change_keeps_every_connection_schedule_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dbm.sqlite3");
    {
        // A data dir as version 4 of the schema left it.
        let sql = rusqlite::Connection::open(&path).unwrap();
        for migration in [
            include_str!("../src/store/migrations/0001_initial.sql"),
            include_str!("../src/store/migrations/0002_installation_id.sql"),
            include_str!("../src/store/migrations/0003_scheduler.sql"),
            include_str!("../src/store/migrations/0004_library.sql"),
        ] {
            sql.execute_batch(migration).unwrap();
        }
        sql.execute_batch(
            "PRAGMA user_version = 4;
             INSERT INTO connection (id, name, host, port, database, username, created_at, updated_at)
               VALUES (1, 'shop', 'db', 5432, 'shop', 'u', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO schedule (id, name, connection_id, cron, timezone, created_at, updated_at)
               VALUES (1, 'nightly', 1, '@daily', 'UTC', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO backup (id, connection_id, schedule_id, trigger, status, format, started_at)
               VALUES (1, 1, 1, 'schedule', 'completed', 'custom', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let counts: (i64, i64, i64) = {
        let sql = rusqlite::Connection::open(&path).unwrap();
        sql.query_row(
            "SELECT (SELECT count(*) FROM connection), (SELECT count(*) FROM schedule),
                    (SELECT count(*) FROM backup WHERE schedule_id = 1)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(counts, (1, 1, 1), "nothing cascaded away");
    let backup = Backups::new(&store)
        .get(dbm_engine::model::BackupId(1))
        .unwrap();
    assert_eq!(backup.connection_name, "shop");
    assert!(!backup.connection_removed);
}
