//! Names PostgreSQL accepts but libpq would read as connection strings (`a=b`, `x host=…`,
//! `postgresql://…`) are only ever names: backups of such databases complete, restores into
//! them land in exactly that database, and no other server is reached. Real servers, Docker.

mod support;

use dbm_engine::library::restore::{restore, RestoreRequest};
use dbm_engine::model::{BackupStatus, DumpFormat};
use dbm_engine::settings::EnginePolicy;
use support::backup::setup;
use support::database;
use tokio_util::sync::CancellationToken;

/// Names that look like connection options; each would make libpq connect elsewhere, or fail
/// with "invalid connection option", were it passed bare as `--dbname`.
const NAMES: [&str; 4] = [
    "dbm a=b",
    "dbm x host=203.0.113.7 port=1",
    "postgresql://postgres@203.0.113.7:1/dbm",
    r"dbm it's a \ name",
];

async fn table_rows(major: u32, database: &str) -> i64 {
    database::client(major, database)
        .await
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn databases_named_like_connection_strings_back_up_and_restore_as_names() {
    let major = 17;
    let source = "dbm src a=b host=203.0.113.7";
    database::recreate(major, source).await;
    database::client(major, source)
        .await
        .batch_execute("CREATE TABLE t AS SELECT g FROM generate_series(1, 321) g")
        .await
        .unwrap();
    let setup = setup(major, source);
    // The directory format's workers open connections of their own.
    for format in [DumpFormat::Custom, DumpFormat::Directory, DumpFormat::Plain] {
        let backup = setup.completed(format).await;
        for name in NAMES {
            database::drop(major, name).await;
            let request = RestoreRequest {
                backup_id: backup.id,
                connection_id: setup.connection,
                database: Some(name.to_string()),
                create: true,
                clean: false,
                no_owner: true,
                single_transaction: false,
                allow_non_empty: false,
                part: None,
            };
            let outcome = restore(
                setup.store.clone(),
                &request,
                &|_| {},
                &CancellationToken::new(),
            )
            .await
            .unwrap_or_else(|p| panic!("{format:?} into {name:?}: {p}"));
            assert_eq!(outcome.database, name);
            assert_eq!(
                table_rows(major, name).await,
                321,
                "{format:?} into {name:?}"
            );
            database::drop(major, name).await;
        }
    }
    // The source is what it was.
    assert_eq!(table_rows(major, source).await, 321);
    database::drop(major, source).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_folder_whose_path_holds_a_colon_reaches_docker_as_one_mount() {
    let setup = setup(16, "postgres");
    let root = setup.dir.path().join("a:b c").join("backups");
    dbm_engine::settings::set(
        &setup.store,
        dbm_engine::settings::BACKUP_ROOT,
        &root.display().to_string(),
    )
    .unwrap();
    for format in [DumpFormat::Custom, DumpFormat::Directory] {
        let backup = setup.backup(format, EnginePolicy::Docker).await;
        assert_eq!(
            backup.status,
            BackupStatus::Completed,
            "{format:?}: {backup:?}"
        );
        assert!(backup.file_path.as_deref().unwrap().contains("a:b c"));
        let verified = dbm_engine::library::verify::verify(
            setup.store.clone(),
            backup.id,
            dbm_engine::library::verify::RestoreCheck::Container,
        )
        .await
        .unwrap();
        assert!(verified.ok, "{format:?}: {verified:#?}");
    }
}

/// A LATIN1 database whose table names are not UTF-8 in pg_restore's messages: the local
/// pg_restore's stderr is read as bytes, so its reader neither stops at the first such line
/// nor leaves the tool to die of SIGPIPE mid-restore.
#[tokio::test(flavor = "multi_thread")]
async fn a_latin1_databases_restore_messages_do_not_stop_the_local_tools() {
    let major = 15;
    let admin = database::client(major, "postgres").await;
    for name in ["dbm_latin1_src", "dbm_latin1_dst"] {
        database::drop(major, name).await;
    }
    admin
        .batch_execute(
            "CREATE DATABASE dbm_latin1_src ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
        )
        .await
        .unwrap();
    // Many tables named with é: pg_restore --verbose names each, long after the first one.
    let tables: String = (0..300)
        .map(|i| format!("CREATE TABLE \"café_{i}\" AS SELECT {i} AS n;"))
        .collect();
    database::client(major, "dbm_latin1_src")
        .await
        .batch_execute(&tables)
        .await
        .unwrap();
    let setup = setup(major, "dbm_latin1_src");
    dbm_engine::settings::set(&setup.store, dbm_engine::settings::ENGINE, "local").unwrap();
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Local).await;
    assert_eq!(backup.status, BackupStatus::Completed, "{backup:?}");
    let lines = std::sync::Mutex::new(Vec::new());
    let request = RestoreRequest {
        backup_id: backup.id,
        connection_id: setup.connection,
        database: Some("dbm_latin1_dst".into()),
        create: true,
        clean: false,
        no_owner: true,
        single_transaction: false,
        allow_non_empty: false,
        part: None,
    };
    let outcome = restore(
        setup.store.clone(),
        &request,
        &|line| lines.lock().unwrap().push(line.to_string()),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(
        outcome.tool.contains("pg_dump"),
        "the local tools ran: {outcome:?}"
    );
    let count: i64 = database::client(major, "dbm_latin1_dst")
        .await
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'caf%' AND relkind = 'r'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 300, "every table restored");
    assert!(
        lines.lock().unwrap().len() > 300,
        "the progress lines kept coming"
    );
    for name in ["dbm_latin1_src", "dbm_latin1_dst"] {
        database::drop(major, name).await;
    }
}

/// The user's own `PG*` variables (another host address, session options) never reach the
/// local pg_dump: it backs up exactly the connection it was given.
#[tokio::test(flavor = "multi_thread")]
async fn local_tools_ignore_the_users_pg_environment() {
    // This test's process only (nextest runs each test in a process of its own).
    std::env::set_var("PGHOSTADDR", "127.0.0.2");
    std::env::set_var("PGOPTIONS", "-c statement_timeout=1");
    std::env::set_var("PGSERVICE", "dbm-no-such-service");
    let setup = setup(15, "postgres");
    let backup = setup.backup(DumpFormat::Custom, EnginePolicy::Local).await;
    assert_eq!(backup.status, BackupStatus::Completed, "{backup:?}");
}
