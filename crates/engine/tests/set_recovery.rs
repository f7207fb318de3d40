//! A server set whose process died after its folder was renamed, before it was recorded: the
//! next start records it, parts and all, from its manifest when every file still hashes as
//! the manifest says, and removes it (recording why) when one does not.

mod support;

use dbm_engine::backups::{BackupKind, Backups};
use dbm_engine::connections::{Connections, Scope};
use dbm_engine::library::recovery;
use dbm_engine::model::{BackupStatus, DumpFormat};
use support::backup::setup;
use support::database;

/// What the record looks like when the process died right after the rename.
fn as_if_it_died(database: &std::path::Path, id: i64) {
    let sql = rusqlite::Connection::open(database).unwrap();
    sql.execute(
        "UPDATE backup SET status = 'running', completed_at = NULL, size_bytes = NULL,
                sha256 = NULL WHERE id = ?1",
        [id],
    )
    .unwrap();
    sql.execute(
        "UPDATE backup_part SET status = 'running', file_name = NULL, size_bytes = NULL,
                sha256 = NULL WHERE backup_id = ?1",
        [id],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_set_is_recorded_from_its_manifest_and_a_damaged_one_is_removed() {
    let names = ["dbmsetrec_a", "dbmsetrec_b"];
    for name in names {
        database::recreate(17, name).await;
        database::client(17, name)
            .await
            .batch_execute("CREATE TABLE t AS SELECT generate_series(1, 40) g")
            .await
            .unwrap();
    }
    let setup = setup(17, "postgres");
    let connections = Connections::new(&setup.store);
    let mut input =
        dbm_engine::connections::ConnectionInput::from(&connections.get(setup.connection).unwrap());
    input.scope = Scope {
        all_databases: true,
        include: vec!["dbmsetrec_*".into()],
        exclude: Vec::new(),
    };
    connections
        .update(
            setup.connection,
            &input,
            dbm_engine::connections::PasswordChange::Keep,
        )
        .unwrap();

    let made = setup.completed(DumpFormat::Custom).await;
    assert_eq!(made.kind, BackupKind::Server);
    assert_eq!(made.parts.len(), 2);
    as_if_it_died(setup.store.path(), made.id.0);

    let recovered = recovery::recover(&setup.store).await.unwrap();
    assert_eq!(recovered.recorded_completed, 1, "{recovered:?}");
    let back = Backups::new(&setup.store).get(made.id).unwrap();
    assert_eq!(back.status, BackupStatus::Completed);
    assert_eq!(back.sha256, made.sha256, "the folder hashes as it did");
    assert_eq!(
        back.parts, made.parts,
        "its parts are back, from the manifest"
    );
    assert_eq!(
        back.globals.as_ref().map(|g| g.status),
        Some(BackupStatus::Completed)
    );

    // A second set, one archive altered after the rename: not trusted, removed.
    let second = setup.completed(DumpFormat::Custom).await;
    let folder = std::path::PathBuf::from(second.file_path.clone().unwrap());
    let archive = std::path::PathBuf::from(second.parts[1].file_path.clone().unwrap());
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&archive, bytes).unwrap();
    as_if_it_died(setup.store.path(), second.id.0);
    let recovered = recovery::recover(&setup.store).await.unwrap();
    assert_eq!(recovered.removed_unproven, 1, "{recovered:?}");
    assert!(!folder.exists(), "the damaged set is gone");
    let back = Backups::new(&setup.store).get(second.id).unwrap();
    assert_eq!(back.status, BackupStatus::Interrupted);
    assert!(
        back.error_message
            .as_deref()
            .unwrap_or_default()
            .contains("is not what the manifest says"),
        "{back:?}"
    );
    for name in names {
        database::drop(17, name).await;
    }
}
