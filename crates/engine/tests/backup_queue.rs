//! One backup per connection at a time, a global limit, the rest queued; cancel by id.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use dbm_engine::backups::{BackupRequest, Coordinator};
use dbm_engine::connections::{ConnectionInput, Connections};
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::model::{BackupStatus, SslMode, Trigger};
use dbm_engine::secrets::Secret;
use dbm_engine::settings::EnginePolicy;
use support::backup::{setup, Recorder};
use support::{database, env_or, pg_port};

fn request(connection: dbm_engine::model::ConnectionId) -> BackupRequest {
    BackupRequest {
        connection,
        options: DumpOptions::default(),
        trigger: Trigger::Manual,
        schedule: None,
        engine: Some(EnginePolicy::Docker),
        stall_after: None,
        time_limit: None,
    }
}

async fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_backup_of_a_connection_waits_while_others_run_and_cancel_stops_by_id() {
    let name = "dbm_queue_locked";
    database::recreate(16, name).await;
    let db = database::client(16, name).await;
    db.batch_execute("CREATE TABLE t AS SELECT generate_series(1, 100) g")
        .await
        .unwrap();
    let locker = database::client(16, name).await;
    locker
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();

    let setup = setup(16, name);
    let other = Connections::new(&setup.store)
        .create(
            &ConnectionInput {
                name: "other".into(),
                host: "127.0.0.1".into(),
                port: pg_port(16).to_string(),
                database: "postgres".into(),
                username: "postgres".into(),
                sslmode: SslMode::Prefer,
                scope: Default::default(),
            },
            Some(&Secret::new(env_or("DBM_PG_PASSWORD", "postgres"))),
        )
        .unwrap()
        .id;
    let coordinator = Arc::new(Coordinator::new(2));
    let (first, second, third) = (
        Arc::new(Recorder::default()),
        Arc::new(Recorder::default()),
        Arc::new(Recorder::default()),
    );

    let spawn = |connection, recorder: Arc<Recorder>| {
        let (coordinator, store) = (coordinator.clone(), setup.store.clone());
        tokio::spawn(async move {
            coordinator
                .run(store, request(connection), recorder)
                .await
                .unwrap()
        })
    };
    let blocked = spawn(setup.connection, first.clone());
    wait_until("the first backup starts", || {
        first.started.lock().unwrap().is_some()
    })
    .await;
    let queued = spawn(setup.connection, second.clone());
    let elsewhere = spawn(other, third.clone());

    // Another connection runs beside it (limit 2); the same connection waits.
    let done = elsewhere.await.unwrap();
    assert_eq!(done.status, BackupStatus::Completed);
    assert!(
        second.started.lock().unwrap().is_none(),
        "the second backup of the connection waited"
    );

    let first_id = first.started.lock().unwrap().unwrap();
    assert_eq!(coordinator.running(), vec![first_id]);
    assert!(coordinator.cancel(first_id));
    let cancelled = blocked.await.unwrap();
    assert_eq!(cancelled.status, BackupStatus::Cancelled);
    drop(locker);

    let after = queued.await.unwrap();
    assert_eq!(after.status, BackupStatus::Completed, "{after:?}");
    assert!(
        !coordinator.cancel(after.id),
        "a finished backup cannot be cancelled"
    );
    database::drop(16, name).await;
}
