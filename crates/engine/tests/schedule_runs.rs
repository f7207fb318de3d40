//! The scheduler's launcher against a real server: a run a dead process left "running" does
//! not make the connection look busy forever; the run is recorded on its schedule, and
//! retention applies after it.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use dbm_engine::backups::{Backup, BackupFilter, Backups, Coordinator, NoProgress, Progress};
use dbm_engine::model::{BackupStatus, Problem, Trigger};
use dbm_engine::schedules::scheduler::Fire;
use dbm_engine::schedules::{
    BackupLauncher, Launch, Launcher, Proof, RunReporter, Schedule, ScheduleInput, Schedules,
};
use support::backup::setup;

struct Quiet;
impl RunReporter for Quiet {
    fn progress(&self, _schedule: &Schedule) -> Arc<dyn Progress> {
        Arc::new(NoProgress)
    }
    fn finished(&self, _schedule: &Schedule, _outcome: &Result<Backup, Problem>) {}
    fn proved(&self, _schedule: &Schedule, _proof: &Result<Proof, Problem>) {}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_processs_running_record_does_not_block_the_schedule_and_runs_are_recorded() {
    let setup = setup(17, "postgres");
    let schedule = Schedules::new(&setup.store)
        .create(&ScheduleInput {
            name: "nightly".into(),
            connection_id: setup.connection,
            cron: "@daily".into(),
            timezone: "UTC".into(),
            is_active: true,
            format: Default::default(),
            compression: Default::default(),
            keep_last: Some(1),
            keep_days: None,
            alert_after_seconds: None,
            verify_every_seconds: None,
            stall_after_seconds: None,
            time_limit_seconds: None,
            hooks: Default::default(),
        })
        .unwrap();
    // What a `dbm backup run` killed with -9 leaves: a running record and no live run lock.
    let sql = rusqlite::Connection::open(setup.store.path()).unwrap();
    sql.execute(
        "INSERT INTO backup (connection_id, trigger, status, format, started_at)
         VALUES (?1, 'manual', 'running', 'custom', '2026-01-01T00:00:00.000Z')",
        [setup.connection.0],
    )
    .unwrap();
    let stale = sql.last_insert_rowid();
    drop(sql);

    let launcher = BackupLauncher::new(
        setup.store.clone(),
        Arc::new(Coordinator::default()),
        Arc::new(Quiet),
    );
    let fire = |trigger| Fire {
        schedule: Schedules::new(&setup.store).get(schedule.id).unwrap(),
        trigger,
        due_at: chrono::Utc::now(),
    };
    assert_eq!(launcher.launch(fire(Trigger::Schedule)), Launch::Started);
    let records = || {
        Backups::new(&setup.store)
            .list(&BackupFilter::default(), 50, 0)
            .unwrap()
    };
    let stale_now = records().into_iter().find(|b| b.id.0 == stale).unwrap();
    assert_eq!(stale_now.status, BackupStatus::Interrupted, "tidied up");

    // While that run goes, a second fire finds the connection busy.
    assert!(matches!(
        launcher.launch(fire(Trigger::Schedule)),
        Launch::Busy(_)
    ));
    launcher.wait().await;
    let first = wait_for_completed(&setup.store, 1).await;

    // A second completed run: retention (keep last 1) deletes the first one's file and record.
    let launcher = BackupLauncher::new(
        setup.store.clone(),
        Arc::new(Coordinator::default()),
        Arc::new(Quiet),
    );
    assert_eq!(launcher.launch(fire(Trigger::CatchUp)), Launch::Started);
    launcher.wait().await;
    let second = wait_for_completed(&setup.store, 1).await;
    assert_ne!(first.id, second.id);
    assert_eq!(second.trigger, Trigger::CatchUp);
    assert_eq!(second.schedule_id, Some(schedule.id));
    assert!(!std::path::Path::new(first.file_path.as_deref().unwrap()).exists());
    let recorded = Schedules::new(&setup.store).get(schedule.id).unwrap();
    assert_eq!(recorded.last_backup_id, Some(second.id));
    assert_eq!(recorded.last_status, Some(BackupStatus::Completed));
    assert_eq!(recorded.last_error, None);
}

/// Waits until exactly `count` completed backups exist, and answers the newest.
async fn wait_for_completed(store: &dbm_engine::store::Store, count: usize) -> Backup {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let completed = Backups::new(store)
            .list(
                &BackupFilter {
                    status: Some(BackupStatus::Completed),
                    ..Default::default()
                },
                50,
                0,
            )
            .unwrap();
        if completed.len() == count {
            return completed[0].clone();
        }
        assert!(Instant::now() < deadline, "{completed:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
