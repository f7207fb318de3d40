//! Verifying by restore checks what a partial dump was asked to contain: a schema-only dump has
//! every table and no rows, a dump of some tables restores them (their trigger's function is not
//! in it: tolerated, and said) with the source's rows, a data-only dump is said to need a
//! database with its tables. Changed source rows still fail the comparison. Real server, Docker.

mod support;

use std::sync::Arc;

use dbm_engine::backups::{Backup, NoProgress, Verification};
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::library::verify::{verify, RestoreCheck};
use dbm_engine::model::{BackupStatus, DumpFormat};
use dbm_engine::settings::EnginePolicy;
use support::backup::{add_connection, setup, Setup};
use support::database;
use tokio_util::sync::CancellationToken;

const SCHEMA: &str = "
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;
    CREATE TABLE orders (id int PRIMARY KEY, at timestamptz);
    CREATE TRIGGER touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
    INSERT INTO orders SELECT g, now() FROM generate_series(1, 250) g;
    CREATE TABLE items (id int, name text);
    INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 40) g;
    CREATE SCHEMA archive;
    CREATE TABLE archive.old (id int);
    INSERT INTO archive.old SELECT generate_series(1, 7);";

async fn backup(setup: &Setup, options: DumpOptions) -> Backup {
    let backup = setup
        .backup_with(
            options,
            EnginePolicy::Docker,
            Arc::new(NoProgress),
            CancellationToken::new(),
        )
        .await;
    assert_eq!(backup.status, BackupStatus::Completed, "{backup:?}");
    backup
}

fn detail(verification: &Verification, name: &str) -> String {
    verification
        .checks
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.detail.clone())
        .unwrap_or_else(|| panic!("no {name} check: {verification:#?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn partial_dumps_verify_by_what_they_were_asked_to_contain() {
    database::recreate(16, "dbm_verify_partial").await;
    database::client(16, "dbm_verify_partial")
        .await
        .batch_execute(SCHEMA)
        .await
        .unwrap();
    let setup = setup(16, "dbm_verify_partial");
    let on_server = add_connection(&setup.store, 16, "postgres");

    let schema_only = backup(
        &setup,
        DumpOptions {
            schema_only: true,
            ..Default::default()
        },
    )
    .await;
    let verified = verify(setup.store.clone(), schema_only.id, RestoreCheck::Container)
        .await
        .unwrap();
    assert!(verified.ok, "{verified:#?}");
    assert!(detail(&verified, "tables").contains("every table of the source is there"));

    for format in [DumpFormat::Custom, DumpFormat::Plain] {
        let orders = backup(
            &setup,
            DumpOptions {
                format,
                include_tables: vec!["orders".into()],
                ..Default::default()
            },
        )
        .await;
        for how in [RestoreCheck::Container, RestoreCheck::OnServer(on_server)] {
            let verified = verify(setup.store.clone(), orders.id, how).await.unwrap();
            assert!(verified.ok, "{format:?} {how:?}: {verified:#?}");
            let tables = verified.restored_tables.clone().unwrap();
            assert_eq!(tables.len(), 1, "{tables:?}");
            assert_eq!((tables[0].rows, tables[0].source_rows), (250, Some(250)));
            assert!(
                detail(&verified, "row counts").contains("each of the 1 tables"),
                "{verified:#?}"
            );
            if format == DumpFormat::Custom {
                assert!(
                    detail(&verified, "restore").contains("touch"),
                    "the missing function is said: {verified:#?}"
                );
            }
        }
    }

    let archive = backup(
        &setup,
        DumpOptions {
            include_schemas: vec!["archive".into()],
            ..Default::default()
        },
    )
    .await;
    let verified = verify(setup.store.clone(), archive.id, RestoreCheck::Container)
        .await
        .unwrap();
    assert!(verified.ok, "{verified:#?}");
    assert_eq!(verified.restored_tables.unwrap().len(), 1);

    let data_only = backup(
        &setup,
        DumpOptions {
            data_only: true,
            ..Default::default()
        },
    )
    .await;
    let verified = verify(setup.store.clone(), data_only.id, RestoreCheck::Container)
        .await
        .unwrap();
    assert!(verified.ok, "{verified:#?}");
    assert!(
        detail(&verified, "restore").contains("data-only"),
        "{verified:#?}"
    );

    // The comparison still bites: rows added to a dumped table since the backup.
    let items = backup(
        &setup,
        DumpOptions {
            include_tables: vec!["items".into()],
            ..Default::default()
        },
    )
    .await;
    database::client(16, "dbm_verify_partial")
        .await
        .batch_execute("INSERT INTO items VALUES (41, 'new')")
        .await
        .unwrap();
    let verified = verify(setup.store.clone(), items.id, RestoreCheck::Container)
        .await
        .unwrap();
    assert!(!verified.ok, "{verified:#?}");
    assert!(detail(&verified, "row counts").contains("public.items (40 restored, 41 now)"));
    database::drop(16, "dbm_verify_partial").await;
}
