//! Overdue: a scheduled connection without a recent good backup, as `dbm status`, the tray and
//! the Dashboard see it, and when the user is told. Times are given to the check, so none of
//! this waits for a clock.

use chrono::{DateTime, Duration, Utc};
use dbm_engine::connections::{ConnectionInput, Connections};
use dbm_engine::health::{self, ConnectionHealth};
use dbm_engine::model::{ConnectionId, SslMode};
use dbm_engine::schedules::{Schedule, ScheduleInput, Schedules};
use dbm_engine::store::Store;
use dbm_engine::time::{from_text, to_text};

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    connection: ConnectionId,
}

fn world(name: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let input = ConnectionInput {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: "5432".into(),
        database: "orders".into(),
        username: "postgres".into(),
        sslmode: SslMode::Prefer,
        scope: Default::default(),
    };
    let connection = Connections::new(&store).create(&input, None).unwrap().id;
    World {
        _dir: dir,
        store,
        connection,
    }
}

impl World {
    fn input(&self, name: &str, cron: &str, alert_after: Option<u32>) -> ScheduleInput {
        ScheduleInput {
            name: name.into(),
            connection_id: self.connection,
            cron: cron.into(),
            timezone: "UTC".into(),
            is_active: true,
            format: Default::default(),
            compression: Default::default(),
            keep_last: None,
            keep_days: None,
            alert_after_seconds: alert_after,
            verify_every_seconds: None,
            stall_after_seconds: None,
            time_limit_seconds: None,
            hooks: Default::default(),
        }
    }

    fn schedule(&self, name: &str, cron: &str, alert_after: Option<u32>) -> Schedule {
        Schedules::new(&self.store)
            .create(&self.input(name, cron, alert_after))
            .unwrap()
    }

    /// A backup record that ran from `started` for a minute and ended `status`.
    fn backup(&self, started: DateTime<Utc>, status: &str) {
        // Another writer, as a past run was: the app's store serialises its own access.
        rusqlite::Connection::open(self.store.path())
            .unwrap()
            .execute(
                "INSERT INTO backup (connection_id, trigger, status, format, started_at, completed_at)
                 VALUES (?1, 'schedule', ?2, 'custom', ?3, ?4)",
                rusqlite::params![
                    self.connection.0,
                    status,
                    to_text(started),
                    to_text(started + Duration::minutes(1))
                ],
            )
            .unwrap();
    }

    fn at(&self, now: DateTime<Utc>) -> ConnectionHealth {
        let found = health::check(&self.store, now).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        found.into_iter().next().unwrap()
    }
}

fn created(schedule: &Schedule) -> DateTime<Utc> {
    from_text(&schedule.created_at).unwrap()
}

#[test]
fn an_hourly_schedule_is_overdue_once_a_whole_run_went_by_without_a_good_backup() {
    let world = world("orders-db");
    let schedule = world.schedule("hourly", "0 * * * *", None);
    let start = created(&schedule) + Duration::minutes(1);
    world.backup(start, "completed");

    let soon = world.at(start + Duration::minutes(30));
    assert!(!soon.overdue, "{soon:?}");
    assert_eq!(soon.summary, "last good backup 29 minutes ago");

    // Failed runs do not count as good backups.
    world.backup(start + Duration::minutes(60), "failed");
    let later = world.at(start + Duration::hours(3));
    assert!(later.overdue, "{later:?}");
    assert_eq!(later.connection_name, "orders-db");
    assert_eq!(later.schedule_name, "hourly");
    assert_eq!(later.summary, "no backup for 2 hours");
    let due = from_text(later.due_by.as_deref().unwrap()).unwrap();
    assert!(due > start + Duration::minutes(60) && due <= start + Duration::minutes(120));

    // A new good backup clears it.
    world.backup(
        start + Duration::hours(3) - Duration::minutes(5),
        "completed",
    );
    assert!(!world.at(start + Duration::hours(3)).overdue);
}

#[test]
fn a_paused_schedule_still_counts_and_no_backup_at_all_is_overdue_after_two_runs() {
    let world = world("never");
    let schedule = world.schedule("hourly", "0 * * * *", None);
    Schedules::new(&world.store).pause(schedule.id).unwrap();
    let made = created(&schedule);
    assert!(!world.at(made + Duration::minutes(50)).overdue);
    let health = world.at(made + Duration::hours(3));
    assert!(health.overdue, "{health:?}");
    assert_eq!(
        health.summary,
        "no backup yet, 3 hours after its schedule was made"
    );
    assert_eq!(health.last_good_at, None);
}

#[test]
fn a_weekday_schedule_is_not_overdue_over_the_weekend_and_is_on_tuesday() {
    let world = world("weekdays");
    let schedule = world.schedule("weekdays", "0 3 * * 1-5", None);
    // The Friday 03:00 run of a week after the schedule was made.
    let mut friday = created(&schedule) + Duration::days(7);
    while friday.format("%a").to_string() != "Fri" {
        friday += Duration::days(1);
    }
    let friday = friday.date_naive().and_hms_opt(3, 0, 0).unwrap().and_utc();
    world.backup(friday, "completed");
    let sunday_night = friday + Duration::days(2) + Duration::hours(20);
    assert!(
        !world.at(sunday_night).overdue,
        "nothing was due since Friday"
    );
    // Monday's run failed; Tuesday 03:00 has come: a whole run went by.
    let tuesday = friday + Duration::days(4) + Duration::minutes(1);
    let health = world.at(tuesday);
    assert!(health.overdue, "{health:?}");
    assert_eq!(health.summary, "no backup for 4 days");
}

#[test]
fn the_schedule_alert_after_overrides_and_the_strictest_schedule_decides() {
    let world = world("alerts");
    let weekly = world.schedule("weekly", "0 3 * * 0", None);
    let start = created(&weekly) + Duration::minutes(1);
    world.backup(start, "completed");
    assert!(!world.at(start + Duration::days(3)).overdue);
    // A 26-hour alert on a second schedule makes the connection overdue after 26 h.
    world.schedule("nightly", "30 2 * * *", Some(26 * 3600));
    let after = world.at(start + Duration::hours(27));
    assert!(after.overdue, "{after:?}");
    assert_eq!(after.schedule_name, "nightly");
    assert!(!world.at(start + Duration::hours(25)).overdue);
}

#[test]
fn an_alert_after_outside_its_range_is_refused_and_changes_nothing() {
    let world = world("bad alert");
    for seconds in [0, 60, 400 * 86_400] {
        let problem = Schedules::new(&world.store)
            .create(&world.input("x", "@daily", Some(seconds)))
            .unwrap_err();
        assert_eq!(problem.code, dbm_engine::model::Code::InvalidAlertAfter);
    }
    assert!(Schedules::new(&world.store).list().unwrap().is_empty());
}

#[test]
fn the_user_is_told_once_then_at_most_daily_and_again_at_once_after_a_new_lapse() {
    let world = world("told");
    let schedule = world.schedule("hourly", "0 * * * *", None);
    let start = created(&schedule) + Duration::minutes(1);
    world.backup(start, "completed");
    let notices = |now: DateTime<Utc>| {
        let found = health::check(&world.store, now).unwrap();
        health::notices_due(&world.store, &found, now)
            .unwrap()
            .len()
    };
    let overdue_at = start + Duration::hours(3);
    assert_eq!(notices(start + Duration::minutes(30)), 0, "not overdue yet");
    assert_eq!(notices(overdue_at), 1);
    assert_eq!(notices(overdue_at + Duration::minutes(1)), 0);
    assert_eq!(
        notices(overdue_at + Duration::hours(23)),
        0,
        "within the day"
    );
    assert_eq!(notices(overdue_at + Duration::hours(24)), 1, "a day later");
    // Recovered, then lapsed again: told at once.
    let recovered = overdue_at + Duration::hours(25);
    world.backup(recovered - Duration::minutes(2), "completed");
    assert_eq!(notices(recovered), 0);
    assert_eq!(notices(recovered + Duration::hours(3)), 1);
}
