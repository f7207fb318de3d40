//! Proof on a schedule, on the scheduler's test clock, with a real server and Docker: a
//! schedule with `verify_every_seconds` of a day proves its connection's newest backup once a
//! day, never while that connection is being backed up; a corrupted newest backup fails its
//! proof, the reporter is told, and the connection is "not proven".

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use dbm_engine::backups::{Backup, BackupRequest, Backups, Coordinator, NoProgress, Progress};
use dbm_engine::health;
use dbm_engine::model::{BackupStatus, Problem, Trigger};
use dbm_engine::schedules::{
    BackupLauncher, Clock, NoObserver, Proof, RunReporter, Schedule, ScheduleInput, Scheduler,
    SchedulerHandle, Schedules, TestClock,
};
use support::backup::setup;
use support::database;

/// Keeps the proofs it is told of.
#[derive(Default)]
struct Proofs(Mutex<Vec<Result<Proof, Problem>>>);

impl RunReporter for Proofs {
    fn progress(&self, _schedule: &Schedule) -> Arc<dyn Progress> {
        Arc::new(NoProgress)
    }
    fn finished(&self, _schedule: &Schedule, _outcome: &Result<Backup, Problem>) {}
    fn proved(&self, _schedule: &Schedule, proof: &Result<Proof, Problem>) {
        self.0.lock().unwrap().push(proof.clone());
    }
}

impl Proofs {
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// Waits (real time) until `count` proofs have been told.
    async fn wait_for(&self, count: usize) -> Proof {
        let deadline = std::time::Instant::now() + Duration::from_secs(240);
        loop {
            if let Some(last) = self.0.lock().unwrap().get(count - 1) {
                return last.clone().expect("the proof ran");
            }
            assert!(std::time::Instant::now() < deadline, "no proof #{count}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Moves the test clock and waits until the scheduler has handled the new instant.
async fn advance(clock: &TestClock, handle: &mut SchedulerHandle, by: TimeDelta) {
    clock.advance(by);
    handle.caught_up(clock.now()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_newest_backup_is_proven_daily_never_beside_a_backup_and_a_bad_one_is_not_proven() {
    let name = "dbm_proof_daily";
    database::recreate(17, name).await;
    let db = database::client(17, name).await;
    db.batch_execute("CREATE TABLE t AS SELECT generate_series(1, 500) g")
        .await
        .unwrap();
    let setup = setup(17, name);
    let start = Utc::now();
    let schedule = Schedules::new(&setup.store)
        .create_at(
            &ScheduleInput {
                name: "yearly".into(),
                connection_id: setup.connection,
                // Never due during the test: only proofs happen on their own.
                cron: "0 0 1 1 *".into(),
                timezone: "UTC".into(),
                is_active: true,
                format: Default::default(),
                compression: Default::default(),
                keep_last: None,
                keep_days: None,
                alert_after_seconds: None,
                verify_every_seconds: Some(24 * 3600),
                stall_after_seconds: None,
                time_limit_seconds: None,
                hooks: Default::default(),
            },
            start,
        )
        .unwrap();
    let first = setup.completed(Default::default()).await;

    let clock = Arc::new(TestClock::new(start));
    let coordinator = Arc::new(Coordinator::default());
    let proofs = Arc::new(Proofs::default());
    let launcher = BackupLauncher::new(setup.store.clone(), coordinator.clone(), proofs.clone());
    let mut handle = Scheduler {
        store: setup.store.clone(),
        clock: clock.clone(),
        launcher: launcher.clone(),
        observer: Arc::new(NoObserver),
    }
    .spawn();
    handle.caught_up(start).await;
    advance(&clock, &mut handle, TimeDelta::hours(1)).await;
    assert_eq!(
        proofs.count(),
        0,
        "a day has not passed since the schedule was made"
    );

    // A backup that waits on a lock while the proof falls due: no proof beside it.
    let locker = database::client(17, name).await;
    locker
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let running = {
        let (store, coordinator, connection) =
            (setup.store.clone(), coordinator.clone(), setup.connection);
        tokio::spawn(async move {
            let request = BackupRequest {
                connection,
                options: Default::default(),
                trigger: Trigger::Manual,
                schedule: None,
                engine: None,
                stall_after: None,
                time_limit: None,
            };
            coordinator.run(store, request, Arc::new(NoProgress)).await
        })
    };
    database::wait_for_blocked_tool(17, name).await;
    advance(&clock, &mut handle, TimeDelta::days(1)).await;
    advance(&clock, &mut handle, TimeDelta::minutes(1)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        proofs.count(),
        0,
        "no proof while the connection is backed up"
    );
    assert!(Schedules::new(&setup.store)
        .proofs(schedule.id, 10)
        .unwrap()
        .is_empty());
    locker.batch_execute("ROLLBACK").await.unwrap();
    let second = running.await.unwrap().unwrap();
    assert_eq!(second.status, BackupStatus::Completed, "{second:?}");

    // Quiet again: the newest backup is proven, once for the day.
    advance(&clock, &mut handle, TimeDelta::minutes(1)).await;
    let proof = proofs.wait_for(1).await;
    assert_eq!(proof.ok, Some(true), "{proof:?}");
    assert_eq!(
        proof.backup_id,
        Some(second.id),
        "the newest, not {}",
        first.id
    );
    let proven = Backups::new(&setup.store).get(second.id).unwrap();
    let verification = proven.verification.expect("the proof is on the backup");
    assert!(verification.restored_tables.is_some(), "{verification:?}");
    for _ in 0..3 {
        advance(&clock, &mut handle, TimeDelta::hours(6)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(proofs.count(), 1, "at most one proof a day");
    let healthy = health::check(&setup.store, clock.now()).unwrap();
    assert!(
        healthy[0].proven_at.is_some() && healthy[0].not_proven.is_none(),
        "{healthy:?}"
    );

    // The newest backup's file is damaged: the next day's proof fails and says so.
    let path = proven.file_path.clone().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    advance(&clock, &mut handle, TimeDelta::hours(7)).await;
    let failed = proofs.wait_for(2).await;
    assert_eq!(failed.ok, Some(false), "{failed:?}");
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("sha256"),
        "{failed:?}"
    );
    let health = health::check(&setup.store, clock.now()).unwrap();
    assert!(health[0].not_proven.is_some(), "{health:?}");
    let shown = Schedules::new(&setup.store).get(schedule.id).unwrap();
    assert_eq!(shown.last_proof.and_then(|p| p.ok), Some(false));

    handle.stop().await;
    launcher.wait().await;
    database::drop(17, name).await;
}
