//! The library's rules on hand-made records and files: retention, statistics, delete, save a
//! copy, scan. (Real backups, verify and restore are in tests/library.rs.)

use crate::model::{
    BackupId, BackupStatus, Code, ConnectionId, RunnerKind, ScheduleId, SslMode, Trigger,
};
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::params;

use super::{files, stats};
use crate::backups::repository::{self, BackupFilter};
use crate::backups::FileState;
use crate::connections::{ConnectionInput, Connections};
use crate::dump::sink::hash_path;
use crate::schedules::retention;
use crate::schedules::{ScheduleInput, Schedules};
use crate::store::Store;
use crate::time::to_text;

/// The name the app would give backup `id` of connection "shop".
fn file_name(id: BackupId) -> String {
    format!("shop_20260101T000000Z_{}.dump", id.0)
}

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    connection: ConnectionId,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(&dir.path().join("data")).unwrap();
    let input = ConnectionInput {
        name: "shop".into(),
        host: "127.0.0.1".into(),
        port: "5432".into(),
        database: "shop".into(),
        username: "postgres".into(),
        sslmode: SslMode::Prefer,
        scope: Default::default(),
    };
    let connection = Connections::new(&store).create(&input, None).unwrap().id;
    Fixture {
        dir,
        store,
        connection,
    }
}

impl Fixture {
    fn schedule(&self, keep_last: Option<u32>, keep_days: Option<u32>) -> ScheduleId {
        Schedules::new(&self.store)
            .create(&ScheduleInput {
                name: String::new(),
                connection_id: self.connection,
                cron: "@daily".into(),
                timezone: "UTC".into(),
                is_active: true,
                format: Default::default(),
                compression: Default::default(),
                keep_last,
                keep_days,
                alert_after_seconds: None,
                verify_every_seconds: None,
                stall_after_seconds: None,
                time_limit_seconds: None,
                hooks: Default::default(),
            })
            .unwrap()
            .id
    }

    /// A run started `at`, ended with `status`; a completed one gets a real file.
    fn run(
        &self,
        schedule: Option<ScheduleId>,
        status: BackupStatus,
        at: DateTime<Utc>,
    ) -> BackupId {
        let sql = self.store.connection();
        let id = repository::insert_running(
            &sql,
            self.connection,
            schedule,
            Trigger::Schedule,
            &Default::default(),
            false,
        )
        .unwrap();
        sql.execute(
            "UPDATE backup SET started_at = ?2 WHERE id = ?1",
            params![id.0, to_text(at)],
        )
        .unwrap();
        if status == BackupStatus::Completed {
            let folder = self.month_folder();
            std::fs::create_dir_all(&folder).unwrap();
            let path = folder.join(file_name(id));
            std::fs::write(&path, format!("backup {} contents", id.0)).unwrap();
            let written = hash_path(&path).unwrap();
            repository::record_details(
                &sql,
                id,
                &repository::RunDetails {
                    file_path: &path.display().to_string(),
                    compression: "zstd",
                    runner: RunnerKind::Docker,
                    runner_detail: "postgres:17",
                    pg_dump_version: "17.2",
                    server_version: "17.2",
                },
            )
            .unwrap();
            repository::complete(&sql, id, written.bytes, &written.sha256, "").unwrap();
        } else {
            repository::finish_without_file(&sql, id, status, "pg_dump failed", "").unwrap();
        }
        id
    }

    fn path_of(&self, id: BackupId) -> PathBuf {
        PathBuf::from(
            repository::get(&self.store.connection(), id)
                .unwrap()
                .file_path
                .unwrap(),
        )
    }

    /// Where the fixture's backups are, in the app's layout under the default backup root.
    fn month_folder(&self) -> PathBuf {
        self.dir.path().join("data/backups/shop/2026/01")
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.month_folder())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".dump"))
            .collect();
        names.sort();
        names
    }
}

fn day(n: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T03:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + TimeDelta::days(n)
}

#[test]
fn retention_keeps_the_last_n_completed_and_the_last_good_one_through_failures() {
    let f = fixture();
    let schedule = f.schedule(Some(3), None);
    // 20 daily runs: completed on days 0-9, 12, 14; failed, cancelled or interrupted otherwise,
    // ending with a row of six failures (days 14-19 minus 14).
    let mut completed = Vec::new();
    for n in 0..20 {
        let status = match n {
            0..=9 | 12 | 14 => BackupStatus::Completed,
            10 | 15..=19 => BackupStatus::Failed,
            11 => BackupStatus::Cancelled,
            _ => BackupStatus::Interrupted,
        };
        let id = f.run(Some(schedule), status, day(n));
        if status == BackupStatus::Completed {
            completed.push(id);
        }
    }
    let other = f.run(None, BackupStatus::Completed, day(1)); // manual: not the schedule's

    let now = day(20);
    let plan = retention::preview(&f.store, schedule, now).unwrap();
    assert_eq!(plan.delete.len(), 9, "these 9 would be deleted");
    assert_eq!(plan.keep, 3);
    assert_eq!(f.files().len(), 13, "a preview deletes nothing");

    let deleted = retention::apply(&f.store, schedule, now).unwrap();
    assert_eq!(deleted.len(), 9);
    let mut expected: Vec<String> = [completed[9], completed[10], completed[11], other]
        .iter()
        .map(|id| file_name(*id))
        .collect();
    expected.sort();
    assert_eq!(f.files(), expected);
    // Failed runs' records stay as history.
    let failed = repository::count(
        &f.store.connection(),
        &BackupFilter {
            status: Some(BackupStatus::Failed),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(failed, 6);

    // Days only, far in the future: everything is old, but the newest good backup stays.
    Schedules::new(&f.store)
        .update(
            schedule,
            &ScheduleInput {
                name: "s".into(),
                connection_id: f.connection,
                cron: "@daily".into(),
                timezone: "UTC".into(),
                is_active: true,
                format: Default::default(),
                compression: Default::default(),
                keep_last: None,
                keep_days: Some(7),
                alert_after_seconds: None,
                verify_every_seconds: None,
                stall_after_seconds: None,
                time_limit_seconds: None,
                hooks: Default::default(),
            },
        )
        .unwrap();
    retention::apply(&f.store, schedule, day(400)).unwrap();
    let mut left = vec![file_name(completed[11]), file_name(other)];
    left.sort();
    assert_eq!(f.files(), left);
}

#[test]
fn retention_by_days_keeps_what_either_rule_keeps() {
    let f = fixture();
    let schedule = f.schedule(Some(2), Some(5));
    let ids: Vec<BackupId> = (0..10)
        .map(|n| f.run(Some(schedule), BackupStatus::Completed, day(n)))
        .collect();
    // Now is day 10: days 5..9 are within 5 days; the last 2 are within them anyway.
    let plan = retention::preview(&f.store, schedule, day(10)).unwrap();
    let going: Vec<BackupId> = plan.delete.iter().map(|b| b.id).collect();
    assert_eq!(going, ids[..5].iter().rev().copied().collect::<Vec<_>>());
}

#[test]
fn statistics_equal_hand_computed_values() {
    let f = fixture();
    let now = day(100);
    // Old (outside 30 days): 2 completed, 2 failed. Recent: 3 completed, 1 failed, 1 cancelled,
    // 1 interrupted, 1 running.
    let mut sizes = 0;
    for (n, status) in [
        (10, BackupStatus::Completed),
        (11, BackupStatus::Completed),
        (12, BackupStatus::Failed),
        (13, BackupStatus::Failed),
        (90, BackupStatus::Completed),
        (91, BackupStatus::Completed),
        (92, BackupStatus::Completed),
        (93, BackupStatus::Failed),
        (94, BackupStatus::Cancelled),
        (95, BackupStatus::Interrupted),
    ] {
        let id = f.run(None, status, day(n));
        if status == BackupStatus::Completed {
            sizes += std::fs::metadata(f.path_of(id)).unwrap().len();
        }
    }
    repository::insert_running(
        &f.store.connection(),
        f.connection,
        None,
        Trigger::Manual,
        &Default::default(),
        false,
    )
    .unwrap();
    let stats = stats::stats(&f.store, now).unwrap();
    assert_eq!(stats.total, 11);
    assert_eq!(
        (
            stats.completed,
            stats.failed,
            stats.running,
            stats.cancelled,
            stats.interrupted
        ),
        (5, 3, 1, 1, 1)
    );
    assert_eq!(stats.recorded_bytes, sizes);
    assert!(
        stats.bytes_on_disk >= sizes,
        "{} < {sizes}",
        stats.bytes_on_disk
    );
    // 5 / (5 + 3 + 1) all time; 3 / (3 + 1 + 1) in the last 30 days.
    assert_eq!(stats.success_rate, Some(5.0 / 9.0));
    assert_eq!(stats.success_rate_30_days, Some(3.0 / 5.0));
    let shop = &stats.connections[0];
    assert_eq!((shop.total, shop.completed, shop.failed), (11, 5, 3));
    assert_eq!(
        shop.last_success_at.as_deref(),
        Some(to_text(day(92)).as_str())
    );
    assert_eq!(
        shop.last_failure_at.as_deref(),
        Some(to_text(day(93)).as_str())
    );
}

#[test]
fn delete_removes_file_and_record_and_says_when_the_file_was_gone() {
    let f = fixture();
    let a = f.run(None, BackupStatus::Completed, day(1));
    let b = f.run(None, BackupStatus::Completed, day(2));
    let failed = f.run(None, BackupStatus::Failed, day(3));
    let deleted = files::delete(&f.store, a).unwrap();
    assert!(deleted.file_removed && deleted.note.is_none());
    assert_eq!(
        files::delete(&f.store, a).unwrap_err().code,
        Code::BackupNotFound
    );
    assert_eq!(
        files::delete(&f.store, BackupId(999)).unwrap_err().code,
        Code::BackupNotFound
    );
    std::fs::remove_file(f.path_of(b)).unwrap();
    let gone = files::delete(&f.store, b).unwrap();
    assert!(!gone.file_removed);
    assert!(gone.note.unwrap().contains("already gone"));
    assert!(!files::delete(&f.store, failed).unwrap().file_removed);
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_that_cannot_be_deleted_keeps_its_record() {
    // Folder permissions do not stop root (CI runs as root): the folder is made a read-only
    // bind mount of itself, which stops everyone.
    let f = fixture();
    let id = f.run(None, BackupStatus::Completed, day(1));
    let folder = f.month_folder();
    let mount = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new("mount")
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    };
    let at = folder.as_os_str();
    assert!(
        mount(&["--bind".as_ref(), at, at])
            && mount(&["-o".as_ref(), "remount,bind,ro".as_ref(), at]),
        "a read-only bind mount needs root"
    );
    let problem = files::delete(&f.store, id).unwrap_err();
    let _ = std::process::Command::new("umount").arg(&folder).status();
    assert_eq!(problem.code, Code::DeleteFailed, "{problem}");
    assert!(problem.message.contains(&file_name(id)), "{problem}");
    assert!(repository::get(&f.store.connection(), id).is_ok());
    assert!(f.path_of(id).exists());
}

#[test]
fn save_a_copy_checks_the_copy_and_refuses_bad_destinations() {
    let f = fixture();
    let id = f.run(None, BackupStatus::Completed, day(1));
    let source = f.path_of(id);
    let out = tempfile::tempdir().unwrap();
    let copy = files::save_copy(&f.store, id, out.path()).unwrap();
    assert_eq!(copy, out.path().join(source.file_name().unwrap()));
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&source).unwrap()
    );
    assert_eq!(
        files::save_copy(&f.store, id, &copy).unwrap_err().code,
        Code::InvalidDestination,
        "an existing file is not overwritten"
    );
    assert_eq!(
        files::save_copy(&f.store, id, &source).unwrap_err().code,
        Code::InvalidDestination,
        "not over the backup itself"
    );
    assert_eq!(
        files::save_copy(&f.store, id, source.parent().unwrap())
            .unwrap_err()
            .code,
        Code::InvalidDestination,
        "not onto itself through its folder"
    );
    let missing_folder = out.path().join("no/such/folder/copy.dump");
    assert_eq!(
        files::save_copy(&f.store, id, &missing_folder)
            .unwrap_err()
            .code,
        Code::CopyFailed
    );
    assert!(!Path::new(&format!("{}.partial", missing_folder.display())).exists());
    // A changed backup file: the copy's checksum differs from the record and nothing is left.
    std::fs::write(&source, "tampered").unwrap();
    let target = out.path().join("second.dump");
    assert_eq!(
        files::save_copy(&f.store, id, &target).unwrap_err().code,
        Code::CopyMismatch
    );
    assert!(!target.exists());
    let failed = f.run(None, BackupStatus::Failed, day(2));
    assert_eq!(
        files::save_copy(&f.store, failed, out.path())
            .unwrap_err()
            .code,
        Code::BackupHasNoFile
    );
}

#[test]
fn a_scan_marks_missing_and_modified_files_and_clears_them_when_back() {
    let f = fixture();
    let kept = f.run(None, BackupStatus::Completed, day(1));
    let removed = f.run(None, BackupStatus::Completed, day(2));
    let changed = f.run(None, BackupStatus::Completed, day(3));
    let same_size = f.run(None, BackupStatus::Completed, day(4));
    let removed_path = f.path_of(removed);
    let saved = std::fs::read(&removed_path).unwrap();
    std::fs::remove_file(&removed_path).unwrap();
    std::fs::write(f.path_of(changed), "much longer contents than before").unwrap();
    let original = std::fs::read(f.path_of(same_size)).unwrap();
    let mut flipped = original.clone();
    flipped[0] ^= 1;
    std::fs::write(f.path_of(same_size), &flipped).unwrap();

    let quick = files::scan(&f.store, false).unwrap();
    assert_eq!(quick.checked, 4);
    assert_eq!(quick.missing, [removed]);
    assert_eq!(
        quick.modified,
        [changed],
        "a same-size change needs the hash"
    );
    let full = files::scan(&f.store, true).unwrap();
    assert_eq!(full.modified, [same_size, changed]);
    let state = |id| {
        repository::get(&f.store.connection(), id)
            .unwrap()
            .file_state
    };
    assert_eq!(state(removed), Some(FileState::Missing));
    assert_eq!(state(kept), None);

    std::fs::write(&removed_path, saved).unwrap();
    let back = files::scan(&f.store, true).unwrap();
    assert_eq!(back.restored, [removed]);
    assert_eq!(state(removed), None);
}
