//! The scheduler on a test clock: what fires when, across DST changes, edits and deletes while
//! it sleeps, catch-up after being away, pause all, 10,000 schedules.

use dbm_engine::model::{
    Code, Compression, ConnectionId, DumpFormat, ScheduleId, SslMode, Trigger,
};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};

use dbm_engine::connections::{ConnectionInput, Connections};

use dbm_engine::schedules::scheduler::Fire;
use dbm_engine::schedules::{
    Clock, Launch, Launcher, MissReason, NoObserver, Schedule, ScheduleInput, Scheduler,
    SchedulerHandle, Schedules, TestClock,
};
use dbm_engine::store::Store;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// What the scheduler handed over, and when on the test clock.
#[derive(Debug, Clone)]
struct Fired {
    schedule: ScheduleId,
    trigger: Trigger,
    due_at: DateTime<Utc>,
    at: DateTime<Utc>,
}

struct RecordingLauncher {
    clock: Arc<TestClock>,
    fired: Mutex<Vec<Fired>>,
    busy: bool,
}

impl Launcher for RecordingLauncher {
    fn launch(&self, fire: Fire) -> Launch {
        if self.busy {
            return Launch::Busy("A backup of this connection was already running.".into());
        }
        self.fired.lock().unwrap().push(Fired {
            schedule: fire.schedule.id,
            trigger: fire.trigger,
            due_at: fire.due_at,
            at: self.clock.now(),
        });
        Launch::Started
    }

    /// These schedules never verify (`verify_every_seconds` is None).
    fn prove(&self, _schedule: &Schedule, _now: DateTime<Utc>) {}
}

struct World {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    connection: ConnectionId,
    clock: Arc<TestClock>,
    launcher: Arc<RecordingLauncher>,
}

fn world(start: &str) -> World {
    world_with(start, false)
}

fn world_with(start: &str, busy: bool) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(&dir.path().join("data")).unwrap());
    let input = ConnectionInput {
        name: "db".into(),
        host: "127.0.0.1".into(),
        port: "5432".into(),
        database: "db".into(),
        username: "postgres".into(),
        sslmode: SslMode::Prefer,
        scope: Default::default(),
    };
    let connection = Connections::new(&store).create(&input, None).unwrap().id;
    let clock = Arc::new(TestClock::new(utc(start)));
    let launcher = Arc::new(RecordingLauncher {
        clock: clock.clone(),
        fired: Mutex::default(),
        busy,
    });
    World {
        _dir: dir,
        store,
        connection,
        clock,
        launcher,
    }
}

impl World {
    fn input(&self, name: &str, cron: &str, zone: &str) -> ScheduleInput {
        ScheduleInput {
            name: name.into(),
            connection_id: self.connection,
            cron: cron.into(),
            timezone: zone.into(),
            is_active: true,
            format: DumpFormat::Custom,
            compression: Compression::Auto,
            keep_last: None,
            keep_days: None,
            alert_after_seconds: None,
            verify_every_seconds: None,
            stall_after_seconds: None,
            time_limit_seconds: None,
            hooks: Default::default(),
        }
    }

    fn add(&self, name: &str, cron: &str, zone: &str) -> ScheduleId {
        Schedules::new(&self.store)
            .create_at(&self.input(name, cron, zone), self.clock.now())
            .unwrap()
            .id
    }

    fn start(&self) -> SchedulerHandle {
        Scheduler {
            store: self.store.clone(),
            clock: self.clock.clone(),
            launcher: self.launcher.clone(),
            observer: Arc::new(NoObserver),
        }
        .spawn()
    }

    /// Moves the clock to `until` in `step`s, letting the scheduler keep up at each.
    async fn run_until(&self, handle: &mut SchedulerHandle, until: DateTime<Utc>, step: TimeDelta) {
        handle.caught_up(self.clock.now()).await;
        while self.clock.now() < until {
            let next = (self.clock.now() + step).min(until);
            self.clock.set(next);
            handle.caught_up(next).await;
        }
    }

    fn fired(&self) -> Vec<Fired> {
        self.launcher.fired.lock().unwrap().clone()
    }

    fn fired_at(&self, schedule: ScheduleId) -> Vec<String> {
        self.fired()
            .iter()
            .filter(|f| f.schedule == schedule)
            .map(|f| f.due_at.to_rfc3339())
            .collect()
    }
}

fn every(from: &str, to: &str, minutes: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = utc(from);
    while at <= utc(to) {
        out.push(at.to_rfc3339());
        at += TimeDelta::minutes(minutes);
    }
    out
}

/// Runs the three patterns in `zone` from `start` to `end` and answers their fire times.
async fn dst_window(zone: &str, start: &str, end: &str) -> [Vec<String>; 3] {
    let world = world(start);
    let fixed = world.add("fixed", "30 2 * * *", zone);
    let quarter = world.add("quarter", "*/15 * * * *", zone);
    let hourly = world.add("hourly", "0 * * * *", zone);
    let mut handle = world.start();
    world
        .run_until(&mut handle, utc(end), TimeDelta::seconds(1))
        .await;
    handle.stop().await;
    for fired in world.fired() {
        assert_eq!(fired.trigger, Trigger::Schedule);
        assert!(fired.at - fired.due_at < TimeDelta::seconds(1), "{fired:?}");
    }
    [
        world.fired_at(fixed),
        world.fired_at(quarter),
        world.fired_at(hourly),
    ]
}

#[tokio::test]
async fn berlin_spring_forward_fires_the_expected_instants() {
    // 2026-03-29 02:00 CET (01:00Z) jumps to 03:00 CEST: 02:30 runs once, at 03:00 CEST.
    let [fixed, quarter, hourly] = dst_window(
        "Europe/Berlin",
        "2026-03-28T23:59:50Z",
        "2026-03-29T02:00:00Z",
    )
    .await;
    assert_eq!(fixed, ["2026-03-29T01:00:00+00:00"]);
    assert_eq!(
        quarter,
        every("2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z", 15)
    );
    assert_eq!(
        hourly,
        [
            "2026-03-29T00:00:00+00:00",
            "2026-03-29T01:00:00+00:00",
            "2026-03-29T02:00:00+00:00"
        ]
    );
}

#[tokio::test]
async fn berlin_fall_back_fires_the_expected_instants() {
    // 2026-10-25 03:00 CEST (01:00Z) falls back to 02:00 CET: 02:30 happens twice, runs once.
    let [fixed, quarter, hourly] = dst_window(
        "Europe/Berlin",
        "2026-10-24T23:59:50Z",
        "2026-10-25T02:00:00Z",
    )
    .await;
    assert_eq!(fixed, ["2026-10-25T00:30:00+00:00"]);
    assert_eq!(
        quarter,
        every("2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", 15)
    );
    assert_eq!(
        hourly,
        [
            "2026-10-25T00:00:00+00:00",
            "2026-10-25T01:00:00+00:00",
            "2026-10-25T02:00:00+00:00"
        ]
    );
}

#[tokio::test]
async fn new_york_spring_forward_fires_the_expected_instants() {
    // 2026-03-08 02:00 EST (07:00Z) jumps to 03:00 EDT: 02:30 runs once, at 03:00 EDT.
    let [fixed, quarter, hourly] = dst_window(
        "America/New_York",
        "2026-03-08T05:59:50Z",
        "2026-03-08T08:00:00Z",
    )
    .await;
    assert_eq!(fixed, ["2026-03-08T07:00:00+00:00"]);
    assert_eq!(
        quarter,
        every("2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z", 15)
    );
    assert_eq!(
        hourly,
        [
            "2026-03-08T06:00:00+00:00",
            "2026-03-08T07:00:00+00:00",
            "2026-03-08T08:00:00+00:00"
        ]
    );
}

#[tokio::test]
async fn new_york_fall_back_fires_the_expected_instants() {
    // 2026-11-01 02:00 EDT (06:00Z) falls back to 01:00 EST: 01:xx happens twice; 02:30 EST once.
    let [fixed, quarter, hourly] = dst_window(
        "America/New_York",
        "2026-11-01T04:59:50Z",
        "2026-11-01T07:45:00Z",
    )
    .await;
    assert_eq!(fixed, ["2026-11-01T07:30:00+00:00"]);
    assert_eq!(
        quarter,
        every("2026-11-01T05:00:00Z", "2026-11-01T07:45:00Z", 15)
    );
    assert_eq!(
        hourly,
        [
            "2026-11-01T05:00:00+00:00",
            "2026-11-01T06:00:00+00:00",
            "2026-11-01T07:00:00+00:00"
        ]
    );
}

#[tokio::test]
async fn lord_howe_half_hour_shift_runs_a_repeated_time_once() {
    // 2026-04-05 02:00 LHDT (+11) falls back to 01:30 LHST (+10:30): 01:45 happens twice.
    let world = world("2026-04-04T14:00:00Z");
    let id = world.add("lord howe", "45 1 * * *", "Australia/Lord_Howe");
    let mut handle = world.start();
    world
        .run_until(
            &mut handle,
            utc("2026-04-05T12:00:00Z"),
            TimeDelta::seconds(30),
        )
        .await;
    handle.stop().await;
    assert_eq!(world.fired_at(id), ["2026-04-04T14:45:00+00:00"]);
}

#[tokio::test]
async fn ten_thousand_schedules_each_fire_once_within_a_second_of_their_time() {
    // Start 300 ms past a second so that firing on a step is never trivially on the dot.
    let world = world("2026-05-03T23:59:59.300Z");
    let schedules = Schedules::new(&world.store);
    let mut due = std::collections::HashMap::new();
    for i in 0..10_000u32 {
        let (second, minute) = (i % 60, (i / 60) % 60);
        let id = schedules
            .create_at(
                &world.input(
                    &format!("s{i}"),
                    &format!("{second} {minute} * * * *"),
                    "UTC",
                ),
                world.clock.now(),
            )
            .unwrap()
            .id;
        let at = utc("2026-05-04T00:00:00Z")
            + TimeDelta::minutes(i64::from(minute))
            + TimeDelta::seconds(i64::from(second));
        due.insert(id, at);
    }

    let mut handle = world.start();
    let end = utc("2026-05-04T00:59:59.900Z");
    world
        .run_until(&mut handle, end, TimeDelta::milliseconds(400))
        .await;
    handle.stop().await;

    let fired = world.fired();
    assert_eq!(fired.len(), 10_000, "each schedule fires once");
    let mut seen = std::collections::HashSet::new();
    for f in &fired {
        assert!(seen.insert(f.schedule), "{:?} fired twice", f.schedule);
        assert_eq!(f.due_at, due[&f.schedule]);
        let late = f.at - f.due_at;
        assert!(
            late >= TimeDelta::zero() && late < TimeDelta::seconds(1),
            "{f:?}"
        );
    }
    // The bookkeeping is written back: last run when it fired, next run an hour later.
    let sample = schedules.get(fired[4321].schedule).unwrap();
    let expected_next = due[&sample.id] + TimeDelta::hours(1);
    assert_eq!(
        sample.next_run_at.as_deref().map(utc),
        Some(expected_next),
        "{sample:?}"
    );
    assert_eq!(sample.last_run_at.as_deref().map(utc), Some(fired[4321].at));
}

#[tokio::test]
async fn an_edit_while_sleeping_takes_effect_and_a_deleted_schedule_never_fires() {
    let world = world("2026-06-01T00:00:00Z");
    let edited = world.add("edited", "0 3 * * *", "UTC");
    let deleted = world.add("deleted", "0 1 * * *", "UTC");
    let mut handle = world.start();
    world
        .run_until(
            &mut handle,
            utc("2026-06-01T00:10:00Z"),
            TimeDelta::seconds(30),
        )
        .await;
    assert!(world.fired().is_empty());

    // In this process: the shell tells the scheduler.
    let schedules = Schedules::new(&world.store);
    schedules
        .update_at(
            edited,
            &world.input("edited", "30 0 * * *", "UTC"),
            world.clock.now(),
        )
        .unwrap();
    schedules.delete(deleted).unwrap();
    handle.schedules_changed();
    handle.next_tick().await;

    world
        .run_until(
            &mut handle,
            utc("2026-06-01T04:00:00Z"),
            TimeDelta::seconds(30),
        )
        .await;
    assert_eq!(world.fired_at(edited), ["2026-06-01T00:30:00+00:00"]);
    assert!(world.fired_at(deleted).is_empty(), "{:?}", world.fired());

    // From another process (a second connection to the same file), with no word to the
    // scheduler: it notices the commit within its capped sleep.
    let other = Store::open(world.store.path()).unwrap();
    let added = Schedules::new(&other)
        .create_at(
            &world.input("added elsewhere", "0 5 * * *", "UTC"),
            world.clock.now(),
        )
        .unwrap()
        .id;
    world
        .run_until(
            &mut handle,
            utc("2026-06-01T05:00:10Z"),
            TimeDelta::seconds(1),
        )
        .await;
    handle.stop().await;
    assert_eq!(world.fired_at(added), ["2026-06-01T05:00:00+00:00"]);
}

/// Two due times (01:00, 02:00 on 4 May) pass while the scheduler is stopped.
async fn away_until(back: &str) -> (World, ScheduleId) {
    let world = world("2026-05-03T12:00:00Z");
    let id = world.add("twice", "0 1,2 4 5 *", "UTC");
    let mut handle = world.start();
    world
        .run_until(
            &mut handle,
            utc("2026-05-03T12:01:00Z"),
            TimeDelta::seconds(30),
        )
        .await;
    handle.stop().await;
    world.clock.set(utc(back));
    let mut handle = world.start();
    world
        .run_until(
            &mut handle,
            utc(back) + TimeDelta::minutes(1),
            TimeDelta::seconds(30),
        )
        .await;
    handle.stop().await;
    (world, id)
}

#[tokio::test]
async fn back_three_hours_after_two_due_times_runs_one_catch_up() {
    let (world, id) = away_until("2026-05-04T05:00:00Z").await;
    let fired = world.fired();
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0].trigger, Trigger::CatchUp);
    assert_eq!(fired[0].due_at, utc("2026-05-04T02:00:00Z"));
    let schedules = Schedules::new(&world.store);
    assert!(schedules.missed(id, 10).unwrap().is_empty());
    let schedule = schedules.get(id).unwrap();
    assert_eq!(
        schedule.last_run_at.as_deref().map(utc),
        Some(utc("2026-05-04T05:00:00Z"))
    );
    assert_eq!(
        schedule.next_run_at.as_deref().map(utc),
        Some(utc("2027-05-04T01:00:00Z"))
    );
}

#[tokio::test]
async fn back_thirty_hours_after_them_runs_nothing_and_records_them_missed() {
    let (world, id) = away_until("2026-05-05T08:00:00Z").await;
    assert!(world.fired().is_empty(), "{:?}", world.fired());
    let missed = Schedules::new(&world.store).missed(id, 10).unwrap();
    assert_eq!(missed.len(), 1, "{missed:?}");
    assert_eq!(missed[0].reason, MissReason::Missed);
    assert_eq!(missed[0].count, 2);
    assert_eq!(utc(&missed[0].first_due_at), utc("2026-05-04T01:00:00Z"));
    assert_eq!(utc(&missed[0].last_due_at), utc("2026-05-04T02:00:00Z"));
    let schedule = Schedules::new(&world.store).get(id).unwrap();
    assert_eq!(schedule.last_run_at, None);
    assert_eq!(
        schedule.next_run_at.as_deref().map(utc),
        Some(utc("2027-05-04T01:00:00Z"))
    );
}

#[tokio::test]
async fn a_laptop_asleep_through_due_times_catches_up_once_on_waking() {
    let world = world("2026-05-03T23:59:50Z");
    let id = world.add("every 10 minutes", "*/10 * * * *", "UTC");
    let mut handle = world.start();
    world
        .run_until(
            &mut handle,
            utc("2026-05-04T00:00:30Z"),
            TimeDelta::seconds(10),
        )
        .await;
    // Asleep for two hours: the clock jumps, the scheduler wakes from its capped sleep.
    world.clock.set(utc("2026-05-04T02:05:00Z"));
    handle.caught_up(utc("2026-05-04T02:05:00Z")).await;
    handle.stop().await;
    let fired = world.fired();
    assert_eq!(fired.len(), 2, "{fired:?}");
    assert_eq!(
        (fired[0].trigger, fired[0].due_at),
        (Trigger::Schedule, utc("2026-05-04T00:00:00Z"))
    );
    assert_eq!(
        (fired[1].trigger, fired[1].due_at),
        (Trigger::CatchUp, utc("2026-05-04T02:00:00Z"))
    );
    assert_eq!(
        Schedules::new(&world.store)
            .get(id)
            .unwrap()
            .next_run_at
            .as_deref()
            .map(utc),
        Some(utc("2026-05-04T02:10:00Z"))
    );
}

#[tokio::test]
async fn pause_all_and_paused_schedules_fire_nothing_and_resume_from_now() {
    let world = world("2026-05-04T00:00:00Z");
    let paused = world.add("paused", "*/10 * * * *", "UTC");
    let other = world.add("other", "*/10 * * * *", "UTC");
    let schedules = Schedules::new(&world.store);
    let shown = schedules.pause(paused).unwrap();
    assert!(!shown.is_active && shown.next_run_at.is_none());
    schedules.set_all_paused(true).unwrap();
    let mut handle = world.start();
    world
        .run_until(
            &mut handle,
            utc("2026-05-04T00:35:00Z"),
            TimeDelta::seconds(30),
        )
        .await;
    assert!(world.fired().is_empty(), "{:?}", world.fired());

    schedules
        .set_all_paused_at(false, world.clock.now())
        .unwrap();
    schedules.resume_at(paused, world.clock.now()).unwrap();
    handle.schedules_changed();
    world
        .run_until(
            &mut handle,
            utc("2026-05-04T00:45:00Z"),
            TimeDelta::seconds(30),
        )
        .await;
    handle.stop().await;
    // Nothing from the paused stretch is caught up; both run at 00:40.
    assert_eq!(world.fired_at(paused), ["2026-05-04T00:40:00+00:00"]);
    assert_eq!(world.fired_at(other), ["2026-05-04T00:40:00+00:00"]);
}

#[tokio::test]
async fn a_fire_on_a_busy_connection_is_skipped_and_recorded() {
    let world = world_with("2026-05-04T00:00:00Z", true);
    let id = world.add("busy", "*/10 * * * *", "UTC");
    let mut handle = world.start();
    world
        .run_until(
            &mut handle,
            utc("2026-05-04T00:10:30Z"),
            TimeDelta::seconds(30),
        )
        .await;
    handle.stop().await;
    let missed = Schedules::new(&world.store).missed(id, 10).unwrap();
    assert_eq!(missed.len(), 1, "{missed:?}");
    assert_eq!(missed[0].reason, MissReason::Busy);
    assert_eq!(utc(&missed[0].first_due_at), utc("2026-05-04T00:10:00Z"));
    let schedule = Schedules::new(&world.store).get(id).unwrap();
    assert_eq!(schedule.last_run_at, None);
    assert_eq!(
        schedule.next_run_at.as_deref().map(utc),
        Some(utc("2026-05-04T00:20:00Z"))
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let world = world("2026-05-04T00:00:00Z");
    let schedules = Schedules::new(&world.store);
    for (cron, zone, code) in [
        ("61 * * * *", "UTC", "invalid_cron"),
        ("* * *", "UTC", "invalid_cron"),
        ("", "UTC", "invalid_cron"),
        ("0 0 30 2 *", "UTC", "invalid_cron"),
        ("0 3 * * *", "Mars/Olympus", "invalid_timezone"),
    ] {
        let problem = schedules
            .create(&world.input("bad", cron, zone))
            .unwrap_err();
        assert_eq!(problem.code.as_str(), code, "{cron} {zone}: {problem}");
    }
    let mut gone = world.input("gone", "0 3 * * *", "UTC");
    gone.connection_id = ConnectionId(999);
    let problem = schedules.create(&gone).unwrap_err();
    assert_eq!(problem.code, Code::InvalidConnection, "{problem}");
    assert!(schedules.list().unwrap().is_empty());

    // A connection deleted later takes its schedules with it.
    world.add("kept", "0 3 * * *", "UTC");
    assert_eq!(schedules.find("kept").unwrap().name, "kept");
    let duplicate = schedules
        .create(&world.input("kept", "0 4 * * *", "UTC"))
        .unwrap_err();
    assert_eq!(duplicate.code, Code::InvalidName);
    Connections::new(&world.store)
        .delete(world.connection)
        .unwrap();
    assert!(schedules.list().unwrap().is_empty());
    assert_eq!(
        schedules.get(ScheduleId(1)).unwrap_err().code,
        Code::ScheduleNotFound
    );
}
