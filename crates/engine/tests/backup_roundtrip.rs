//! For every major 13–18: Chinook backed up through Docker in each format, restored into a
//! fresh database with the same major's tools, every table equal to the source.

mod support;

use dbm_engine::model::{BackupStatus, DumpFormat, RunnerKind};
use dbm_engine::settings::EnginePolicy;
use support::backup::{restore_with_image, setup};
use support::database;

const FORMATS: [DumpFormat; 4] = [
    DumpFormat::Custom,
    DumpFormat::Plain,
    DumpFormat::Tar,
    DumpFormat::Directory,
];

async fn round_trip(major: u32) {
    let source = format!("dbm_chinook_src_{major}");
    database::chinook(major, &source).await;
    let expected = database::fingerprint(major, &source).await;
    assert_eq!(expected.len(), 11, "Chinook has 11 tables: {expected:?}");
    let setup = setup(major, &source);

    for format in FORMATS {
        let backup = setup.backup(format, EnginePolicy::Docker).await;
        assert_eq!(
            backup.status,
            BackupStatus::Completed,
            "{format:?}: {:?}",
            backup.error_message
        );
        assert_eq!(backup.runner, Some(RunnerKind::Docker));
        assert_eq!(
            backup.runner_detail.as_deref(),
            Some(format!("postgres:{major}").as_str())
        );
        assert!(backup
            .pg_dump_version
            .as_deref()
            .unwrap()
            .starts_with(&format!("{major}.")));
        assert!(backup
            .server_version
            .as_deref()
            .unwrap()
            .starts_with(&format!("{major}.")));

        let path = std::path::PathBuf::from(backup.file_path.clone().unwrap());
        assert!(path.exists(), "{}", path.display());
        let on_disk = dbm_engine::dump::sink::hash_path(&path).unwrap();
        assert_eq!(
            Some(on_disk.sha256),
            backup.sha256,
            "{format:?}: recorded hash is the file's"
        );
        assert_eq!(Some(on_disk.bytes as i64), backup.size_bytes);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(
                mode,
                if path.is_dir() { 0o700 } else { 0o600 },
                "{format:?}"
            );
            let folder = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(folder, 0o700);
        }

        let target = format!("dbm_chinook_restored_{major}_{}", format.as_str());
        database::recreate(major, &target).await;
        restore_with_image(major, &path, &target);
        assert_eq!(
            database::fingerprint(major, &target).await,
            expected,
            "{format:?} round trip on {major}"
        );
        database::drop(major, &target).await;
    }
    assert!(
        !setup
            .files()
            .iter()
            .any(|f| f.to_string_lossy().ends_with(".partial")),
        "no partial file is left"
    );
    database::drop(major, &source).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook_round_trips_through_every_format_on_13() {
    round_trip(13).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook_round_trips_through_every_format_on_14() {
    round_trip(14).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook_round_trips_through_every_format_on_15() {
    round_trip(15).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook_round_trips_through_every_format_on_16() {
    round_trip(16).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook_round_trips_through_every_format_on_17() {
    round_trip(17).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook_round_trips_through_every_format_on_18() {
    round_trip(18).await;
}
