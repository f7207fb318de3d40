//! The app removes and writes only what is its own: delete refuses a recorded path outside the
//! backup folder or named for another backup (a tampered or stale record), and saving a copy
//! never writes through or removes a user's file beside the destination. Real server, Docker.

mod support;

use dbm_engine::model::{Code, DumpFormat};
use std::path::PathBuf;

use dbm_engine::backups::{Backup, Backups};

use dbm_engine::library::files::{delete, save_copy};
use dbm_engine::settings::AppSettings;
use support::backup::{setup, Setup};

fn set_file_path(setup: &Setup, backup: &Backup, path: &str) {
    let sql = rusqlite::Connection::open(setup.store.path()).unwrap();
    sql.execute(
        "UPDATE backup SET file_path = ?2 WHERE id = ?1",
        rusqlite::params![backup.id.0, path],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_refuses_a_recorded_path_that_is_not_the_backups_own_file() {
    let setup = setup(15, "postgres");
    let first = setup.completed(DumpFormat::Custom).await;
    let second = setup.completed(DumpFormat::Custom).await;
    let victim_dir = setup.dir.path().join("users-files");
    std::fs::create_dir_all(&victim_dir).unwrap();
    let outside = victim_dir.join("thesis.txt");
    std::fs::write(&outside, b"years of work").unwrap();
    // Named exactly like the backup's file, but outside the backup folder.
    let lookalike = victim_dir.join(
        PathBuf::from(first.file_path.clone().unwrap())
            .file_name()
            .unwrap(),
    );
    std::fs::write(&lookalike, b"not a backup").unwrap();
    // Inside the folder with `..` leading out of it.
    let dotdot = format!("{}/../users-files/thesis.txt", setup.root.display());

    for claimed in [
        outside.display().to_string(),
        lookalike.display().to_string(),
        dotdot,
        second.file_path.clone().unwrap(), // another backup's file
        "/".to_string(),
        "relative/path.dump".to_string(),
    ] {
        set_file_path(&setup, &first, &claimed);
        let problem = delete(&setup.store, first.id).unwrap_err();
        assert_eq!(
            problem.code,
            Code::BackupPathNotOurs,
            "{claimed}: {problem}"
        );
        assert!(
            Backups::new(&setup.store).get(first.id).is_ok(),
            "the record stays"
        );
    }
    assert_eq!(std::fs::read(&outside).unwrap(), b"years of work");
    assert_eq!(std::fs::read(&lookalike).unwrap(), b"not a backup");
    assert!(PathBuf::from(second.file_path.unwrap()).exists());

    // Its own path: deleted, file and record.
    set_file_path(&setup, &first, first.file_path.as_deref().unwrap());
    let deleted = delete(&setup.store, first.id).unwrap();
    assert!(deleted.file_removed);
    assert!(!PathBuf::from(first.file_path.unwrap()).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn backups_in_a_former_backup_folder_can_still_be_deleted() {
    let setup = setup(15, "postgres");
    let old = setup.completed(DumpFormat::Custom).await;
    let mut settings = AppSettings::load(&setup.store).unwrap();
    settings.backup_root = setup.dir.path().join("new-root").display().to_string();
    settings.save(&setup.store).unwrap();
    let deleted = delete(&setup.store, old.id).unwrap();
    assert!(deleted.file_removed, "{deleted:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn saving_a_copy_leaves_a_users_file_beside_the_destination_alone() {
    let setup = setup(15, "postgres");
    let backup = setup.completed(DumpFormat::Custom).await;
    let out = setup.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let destination = out.join("copy.dump");
    // The name the old code wrote to and then removed.
    let users = out.join("copy.dump.partial");
    std::fs::write(&users, b"mine").unwrap();
    let saved = save_copy(&setup.store, backup.id, &destination).unwrap();
    assert_eq!(saved, destination);
    assert_eq!(std::fs::read(&users).unwrap(), b"mine");
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "only the copy and the user's file: {leftovers:?}"
    );

    // Not into the backup folder, which is the app's.
    let problem = save_copy(&setup.store, backup.id, &setup.root).unwrap_err();
    assert_eq!(problem.code, Code::InvalidDestination, "{problem}");

    // A link planted at the destination is not written through.
    #[cfg(unix)]
    {
        let target = out.join("elsewhere.txt");
        std::fs::write(&target, b"keep").unwrap();
        let link = out.join("linked.dump");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let problem = save_copy(&setup.store, backup.id, &link).unwrap_err();
        assert_eq!(problem.code, Code::InvalidDestination);
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }
}
