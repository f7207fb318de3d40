//! The backup library against real servers and Docker: restore every format and compare, a
//! 13 dump into 18, verify (with a throwaway restore) on every major, damaged files caught,
//! bad restores refused.

mod support;

use dbm_engine::backups::Backups;

use dbm_engine::library::restore::{restore, RestoreRequest};
use dbm_engine::library::verify::{verify, RestoreCheck};
use dbm_engine::model::{BackupId, Code, ConnectionId, DumpFormat};
use support::backup::setup;
use support::database;
use tokio_util::sync::CancellationToken;

fn request(backup: BackupId, connection: ConnectionId, database: &str) -> RestoreRequest {
    RestoreRequest {
        backup_id: backup,
        connection_id: connection,
        database: Some(database.into()),
        create: true,
        clean: false,
        no_owner: true,
        single_transaction: false,
        allow_non_empty: false,
        part: None,
    }
}

/// Chinook on `major`, backed up in every format, each restored into a new database on the
/// same server and compared table by table; the source database is untouched.
async fn restore_every_format(major: u32) {
    let source = format!("lib_restore_src_{major}");
    database::chinook(major, &source).await;
    let before = database::fingerprint(major, &source).await;
    let setup = setup(major, &source);
    for format in [
        DumpFormat::Custom,
        DumpFormat::Plain,
        DumpFormat::Tar,
        DumpFormat::Directory,
    ] {
        let backup = setup.completed(format).await;
        let target = format!("lib_restored_{major}_{}", format.as_str());
        database::drop(major, &target).await;
        let outcome = restore(
            setup.store.clone(),
            &request(backup.id, setup.connection, &target),
            &|_| {},
            &CancellationToken::new(),
        )
        .await
        .unwrap_or_else(|p| panic!("{major} {format:?}: {p}"));
        assert!(outcome.created);
        assert_eq!(
            database::fingerprint(major, &target).await,
            before,
            "{major} {format:?}"
        );
        database::drop(major, &target).await;
    }
    assert_eq!(database::fingerprint(major, &source).await, before);
    database::drop(major, &source).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_restores_equal_on_13() {
    restore_every_format(13).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_restores_equal_on_16() {
    restore_every_format(16).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_restores_equal_on_18() {
    restore_every_format(18).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_13_dump_restores_into_18() {
    database::chinook(13, "lib_13_to_18").await;
    let before = database::fingerprint(13, "lib_13_to_18").await;
    let from = setup(13, "lib_13_to_18");
    let backup = from.completed(DumpFormat::Custom).await;
    // The 18 server's connection lives in the same data dir as the backup.
    let to = support::backup::add_connection(&from.store, 18, "postgres");
    database::drop(18, "lib_from_13").await;
    let outcome = restore(
        from.store.clone(),
        &request(backup.id, to, "lib_from_13"),
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(outcome.tool.contains("18"), "{outcome:?}");
    assert_eq!(database::fingerprint(18, "lib_from_13").await, before);
    database::drop(18, "lib_from_13").await;
    database::drop(13, "lib_13_to_18").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_refuses_a_non_empty_database_and_an_existing_one_to_create() {
    database::chinook(17, "lib_refuse").await;
    let setup = setup(17, "lib_refuse");
    let backup = setup.completed(DumpFormat::Custom).await;
    let before = database::fingerprint(17, "lib_refuse").await;
    let into_itself = RestoreRequest {
        create: false,
        ..request(backup.id, setup.connection, "lib_refuse")
    };
    let problem = restore(
        setup.store.clone(),
        &into_itself,
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(problem.code, Code::DatabaseNotEmpty, "{problem}");
    let create_existing = request(backup.id, setup.connection, "lib_refuse");
    let problem = restore(
        setup.store.clone(),
        &create_existing,
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(problem.code, Code::InvalidDatabase, "{problem}");
    let missing = RestoreRequest {
        create: false,
        ..request(backup.id, setup.connection, "lib_no_such_db")
    };
    let problem = restore(
        setup.store.clone(),
        &missing,
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(problem.code, Code::InvalidDatabase, "{problem}");
    // Asked: clean restores over it, and the data is as before.
    let forced = RestoreRequest {
        create: false,
        clean: true,
        allow_non_empty: true,
        part: None,
        ..request(backup.id, setup.connection, "lib_refuse")
    };
    restore(
        setup.store.clone(),
        &forced,
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(database::fingerprint(17, "lib_refuse").await, before);
    // Only an older pg_restore at hand (an image fixed to 13): refused in restore's words,
    // before the database it was to create exists.
    database::drop(17, "lib_refuse_older").await;
    dbm_engine::settings::set(
        &setup.store,
        dbm_engine::settings::IMAGE_TEMPLATE,
        "postgres:13",
    )
    .unwrap();
    let older = restore(
        setup.store.clone(),
        &request(backup.id, setup.connection, "lib_refuse_older"),
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(older.code, Code::PgRestoreTooOld, "{older}");
    assert!(
        older.message.contains("pg_restore of version 17"),
        "{older}"
    );
    dbm_engine::settings::set(
        &setup.store,
        dbm_engine::settings::IMAGE_TEMPLATE,
        "postgres:{major}",
    )
    .unwrap();
    let unknown = restore(
        setup.store.clone(),
        &request(BackupId(9999), setup.connection, "x"),
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(unknown.code, Code::BackupNotFound);
    database::drop(17, "lib_refuse").await;
}

async fn verify_restorable(major: u32) {
    let name = format!("lib_verify_{major}");
    database::chinook(major, &name).await;
    let setup = setup(major, &name);
    let backup = setup.completed(DumpFormat::Custom).await;
    let verification = verify(setup.store.clone(), backup.id, RestoreCheck::Container)
        .await
        .unwrap();
    assert!(verification.ok, "{major}: {verification:#?}");
    let tables = verification.restored_tables.clone().unwrap();
    assert_eq!(tables.len(), 11, "{tables:?}");
    assert!(tables.iter().all(|t| t.source_rows == Some(t.rows)));
    assert!(tables
        .iter()
        .any(|t| t.table == "public.track" && t.rows > 3000));
    let recorded = Backups::new(&setup.store).get(backup.id).unwrap();
    assert!(recorded.verified_at.is_some());
    assert_eq!(recorded.verification, Some(verification));
    database::drop(major, &name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_by_restore_proves_chinook_restorable_on_13_to_15() {
    for major in [13, 14, 15] {
        verify_restorable(major).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_by_restore_proves_chinook_restorable_on_16_to_18() {
    for major in [16, 17, 18] {
        verify_restorable(major).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_catches_a_flipped_byte_a_truncated_file_and_a_missing_file() {
    database::chinook(17, "lib_damage").await;
    let setup = setup(17, "lib_damage");
    let failing = |v: &dbm_engine::backups::Verification| -> Vec<String> {
        v.checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.name.clone())
            .collect()
    };

    let flipped = setup.completed(DumpFormat::Custom).await;
    let path = flipped.file_path.clone().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let v = verify(setup.store.clone(), flipped.id, RestoreCheck::None)
        .await
        .unwrap();
    assert!(!v.ok);
    assert_eq!(failing(&v), ["sha256"]);

    let truncated = setup.completed(DumpFormat::Custom).await;
    let path = truncated.file_path.clone().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    let v = verify(setup.store.clone(), truncated.id, RestoreCheck::None)
        .await
        .unwrap();
    assert_eq!(failing(&v), ["size", "sha256"]);

    let missing = setup.completed(DumpFormat::Custom).await;
    std::fs::remove_file(missing.file_path.clone().unwrap()).unwrap();
    let v = verify(setup.store.clone(), missing.id, RestoreCheck::Container)
        .await
        .unwrap();
    assert_eq!(failing(&v), ["file"]);
    let recorded = Backups::new(&setup.store).get(missing.id).unwrap();
    assert_eq!(recorded.verification.map(|v| v.ok), Some(false));

    let good = setup.completed(DumpFormat::Tar).await;
    let v = verify(setup.store.clone(), good.id, RestoreCheck::None)
        .await
        .unwrap();
    assert!(v.ok, "{v:#?}");
    assert!(v.checks.iter().any(|c| c.name == "archive" && c.ok));
    database::drop(17, "lib_damage").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_by_restore_into_a_scratch_database_on_a_chosen_server() {
    database::chinook(16, "lib_verify_on_server").await;
    let setup = setup(16, "lib_verify_on_server");
    let backup = setup.completed(DumpFormat::Plain).await;
    let scratch_server = support::backup::add_connection(&setup.store, 18, "postgres");
    let v = verify(
        setup.store.clone(),
        backup.id,
        RestoreCheck::OnServer(scratch_server),
    )
    .await
    .unwrap();
    assert!(v.ok, "{v:#?}");
    let tables = v.restored_tables.unwrap();
    assert_eq!(tables.len(), 11);
    assert!(tables.iter().all(|t| t.source_rows == Some(t.rows)));
    let left = database::client(18, "postgres")
        .await
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'dbm_verify_%'",
            &[],
        )
        .await
        .unwrap();
    assert!(left.is_empty(), "the scratch database was dropped");
    database::drop(16, "lib_verify_on_server").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_restore_in_one_transaction_keeps_nothing() {
    database::chinook(17, "lib_cancel").await;
    let setup = setup(17, "lib_cancel");
    let backup = setup.completed(DumpFormat::Custom).await;
    let before = database::fingerprint(17, "lib_cancel").await;
    // pg_restore's first statement that touches `track` waits behind this lock.
    let locker = database::client(17, "lib_cancel").await;
    locker
        .batch_execute("BEGIN; LOCK TABLE track IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let over_itself = RestoreRequest {
        create: false,
        clean: true,
        allow_non_empty: true,
        part: None,
        single_transaction: true,
        ..request(backup.id, setup.connection, "lib_cancel")
    };
    let cancel = CancellationToken::new();
    let running = {
        let (store, cancel) = (setup.store.clone(), cancel.clone());
        tokio::spawn(async move { restore(store, &over_itself, &|_| {}, &cancel).await })
    };
    database::wait_for_blocked_tool(17, "lib_cancel").await;
    cancel.cancel();
    let problem = running.await.unwrap().unwrap_err();
    assert_eq!(problem.code, Code::RestoreCancelled, "{problem}");
    assert!(problem.fix.contains("Nothing was kept"), "{problem}");
    locker.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(database::fingerprint(17, "lib_cancel").await, before);
    database::drop(17, "lib_cancel").await;
}
