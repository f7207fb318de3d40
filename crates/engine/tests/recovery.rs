//! Start-up recovery after a process died: a finished file whose record never said so is
//! checked and recorded (or removed when it fails the checks); only the app's own partial files
//! of dead runs go, never a user's file nor another live run's. Real servers, real Docker.

mod support;

use std::path::{Path, PathBuf};

use dbm_engine::backups::{Backup, Backups};
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::library::recovery::{recover, Recovered};
use dbm_engine::model::{BackupStatus, DumpFormat};
use dbm_engine::settings::{self, EnginePolicy};
use support::backup::{setup, spawn_backup, Setup};
use support::database;
use tokio_util::sync::CancellationToken;

/// Puts a record back where a process that died at that moment left it: still running.
fn mark_running(setup: &Setup, backup: &Backup) {
    let sql = rusqlite::Connection::open(setup.store.path()).unwrap();
    sql.execute(
        "UPDATE backup SET status = 'running', size_bytes = NULL, sha256 = NULL, completed_at = NULL
         WHERE id = ?1",
        [backup.id.0],
    )
    .unwrap();
}

fn get(setup: &Setup, backup: &Backup) -> Backup {
    Backups::new(&setup.store).get(backup.id).unwrap()
}

fn path_of(backup: &Backup) -> PathBuf {
    PathBuf::from(backup.file_path.clone().unwrap())
}

async fn small_database(major: u32, name: &str) {
    database::recreate(major, name).await;
    database::client(major, name)
        .await
        .batch_execute(
            "CREATE TABLE t AS SELECT g, md5(g::text) AS s FROM generate_series(1, 3000) g",
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_file_of_a_run_that_died_before_recording_it_is_checked_and_recorded() {
    small_database(16, "dbm_recover_renamed").await;
    let setup = setup(16, "dbm_recover_renamed");
    let custom = setup.completed(DumpFormat::Custom).await;
    let plain = setup.completed(DumpFormat::Plain).await;
    let directory = setup.completed(DumpFormat::Directory).await;
    for backup in [&custom, &plain, &directory] {
        mark_running(&setup, backup);
    }

    let recovered = recover(&setup.store).await.unwrap();
    assert_eq!(recovered.recorded_completed, 3, "{recovered:?}");
    assert_eq!(recovered.interrupted_runs, 0, "{recovered:?}");
    for backup in [&custom, &plain, &directory] {
        let now = get(&setup, backup);
        assert_eq!(now.status, BackupStatus::Completed, "{now:?}");
        assert_eq!(now.sha256, backup.sha256, "the hash is the file's");
        assert_eq!(now.size_bytes, backup.size_bytes);
        assert!(path_of(&now).exists());
    }
    database::drop(16, "dbm_recover_renamed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_file_of_a_dead_run_that_fails_its_checks_is_removed_and_the_run_interrupted() {
    small_database(16, "dbm_recover_damaged").await;
    let setup = setup(16, "dbm_recover_damaged");
    let custom = setup.completed(DumpFormat::Custom).await;
    let plain = setup.completed(DumpFormat::Plain).await;
    // Cut short: the archive's table of contents survives, its data does not end; the SQL lacks
    // pg_dump's closing line.
    for backup in [&custom, &plain] {
        mark_running(&setup, backup);
        let path = path_of(backup);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    }
    let recovered = recover(&setup.store).await.unwrap();
    assert_eq!(recovered.recorded_completed, 0, "{recovered:?}");
    assert_eq!(recovered.removed_unproven, 2, "{recovered:?}");
    for backup in [&custom, &plain] {
        let now = get(&setup, backup);
        assert_eq!(now.status, BackupStatus::Interrupted, "{now:?}");
        assert!(now.error_message.unwrap().contains("failed the check"));
        assert!(!path_of(backup).exists(), "the unproven file is removed");
    }
    database::drop(16, "dbm_recover_damaged").await;
}

/// Every path under `dir`.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        out.push(entry.path());
        if entry.file_type().unwrap().is_dir() {
            out.extend(tree(&entry.path()));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn recovery_removes_only_its_own_dead_partials_never_a_users_file_or_a_live_run_of_another_data_dir(
) {
    small_database(18, "dbm_recover_ours").await;
    small_database(18, "dbm_recover_theirs").await;
    let ours = setup(18, "dbm_recover_ours");
    let dead = ours.completed(DumpFormat::Custom).await;
    // A dead run's partial: its record running, its file still `.partial`.
    mark_running(&ours, &dead);
    let final_path = path_of(&dead);
    let partial = PathBuf::from(format!("{}.partial", final_path.display()));
    std::fs::rename(&final_path, &partial).unwrap();

    // Files of the user's, some named as if ours, at the root and inside the layout.
    let month_dir = partial.parent().unwrap().to_path_buf();
    let foreign = [
        ours.root.join("notes.partial"),
        month_dir.join("notes.partial"),
        month_dir.join("other_20260101T000000Z_99999.dump.partial"),
        ours.root.join("x_20260101T000000Z_1.dump.partial"),
    ];
    for file in &foreign {
        std::fs::write(file, b"mine").unwrap();
    }

    // Another data dir writing into the same backup folder, its run alive and blocked.
    let theirs = setup(18, "dbm_recover_theirs");
    settings::set(
        &theirs.store,
        settings::BACKUP_ROOT,
        &ours.root.display().to_string(),
    )
    .unwrap();
    let lock = database::client(18, "dbm_recover_theirs").await;
    lock.batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let live = spawn_backup(
        &theirs,
        DumpOptions::default(),
        EnginePolicy::Docker,
        CancellationToken::new(),
    );
    database::wait_for_blocked_tool(18, "dbm_recover_theirs").await;
    let live_partials: Vec<PathBuf> = tree(&ours.root)
        .into_iter()
        .filter(|p| {
            p.to_string_lossy().contains("dbm-recover-theirs")
                && p.to_string_lossy().ends_with(".partial")
        })
        .collect();
    assert_eq!(live_partials.len(), 1, "{:?}", tree(&ours.root));

    let recovered = recover(&ours.store).await.unwrap();
    assert_eq!(
        recovered,
        Recovered {
            interrupted_runs: 1,
            removed_partials: 1,
            ..recovered_containers(&recovered)
        }
    );
    assert!(!partial.exists(), "our dead run's partial is gone");
    for file in &foreign {
        assert_eq!(
            std::fs::read(file).unwrap(),
            b"mine",
            "{} is left alone",
            file.display()
        );
    }
    assert!(
        live_partials[0].exists(),
        "the live run's partial is left alone"
    );
    assert_eq!(get(&ours, &dead).status, BackupStatus::Interrupted);

    drop(lock);
    let finished = live.await.unwrap();
    assert_eq!(finished.status, BackupStatus::Completed, "{finished:?}");
    database::drop(18, "dbm_recover_ours").await;
    database::drop(18, "dbm_recover_theirs").await;
}

/// Containers are another test's concern (other processes' leftovers may be swept here).
fn recovered_containers(recovered: &Recovered) -> Recovered {
    Recovered {
        removed_containers: recovered.removed_containers,
        ..Default::default()
    }
}
