//! The wall clock stepped ±2 h under the real scheduler (in process, on the engine's test
//! clock): each due time fires once, a step forward catches up once, a step back fires nothing
//! again, and normal time afterwards fires every due time.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use dbm_engine::connections::{ConnectionInput, Connections};
use dbm_engine::model::SslMode;
use dbm_engine::schedules::scheduler::Fire;
use dbm_engine::schedules::{
    Clock, Launch, Launcher, NoObserver, ScheduleInput, Scheduler, SchedulerHandle, Schedules,
    TestClock,
};
use dbm_engine::store::Store;

use crate::{fail, Result};

struct Counting {
    fires: Mutex<BTreeMap<DateTime<Utc>, usize>>,
}

impl Launcher for Counting {
    fn launch(&self, fire: Fire) -> Launch {
        if let Ok(mut fires) = self.fires.lock() {
            *fires.entry(fire.due_at).or_default() += 1;
        }
        Launch::Started
    }

    /// The campaign counts fires only: its schedules never verify.
    fn prove(&self, _schedule: &dbm_engine::schedules::Schedule, _now: DateTime<Utc>) {}
}

/// Fired twice, and due but never fired, in one trial of a step of `step` hours.
pub struct ClockFigures {
    pub fired_twice: usize,
    pub not_fired: usize,
}

async fn run_until(clock: &TestClock, handle: &mut SchedulerHandle, until: DateTime<Utc>) {
    handle.caught_up(clock.now()).await;
    while clock.now() < until {
        let next = (clock.now() + TimeDelta::seconds(20)).min(until);
        clock.set(next);
        handle.caught_up(next).await;
    }
}

pub async fn trial(base: &std::path::Path, step_hours: i64, index: usize) -> Result<ClockFigures> {
    let dir = base.join(format!("clock-{index}"));
    let store = Arc::new(Store::open_in(&dir).map_err(|e| fail(e.to_string()))?);
    let input = ConnectionInput {
        name: "clock".into(),
        host: "127.0.0.1".into(),
        port: "5432".into(),
        database: "db".into(),
        username: "u".into(),
        sslmode: SslMode::Prefer,
        scope: Default::default(),
    };
    let connection = Connections::new(&store)
        .create(&input, None)
        .map_err(|e| fail(e.to_string()))?
        .id;
    let start: DateTime<Utc> = "2026-12-01T10:00:30Z".parse().map_err(|_| fail("date"))?;
    let clock = Arc::new(TestClock::new(start));
    Schedules::new(&store)
        .create_at(
            &ScheduleInput {
                name: "every minute".into(),
                connection_id: connection,
                cron: "* * * * *".into(),
                timezone: "UTC".into(),
                is_active: true,
                format: Default::default(),
                compression: Default::default(),
                keep_last: None,
                keep_days: None,
                alert_after_seconds: None,
                verify_every_seconds: None,
                stall_after_seconds: None,
                time_limit_seconds: None,
                hooks: Default::default(),
            },
            start,
        )
        .map_err(|e| fail(e.to_string()))?;
    let launcher = Arc::new(Counting {
        fires: Mutex::default(),
    });
    let mut handle = Scheduler {
        store: store.clone(),
        clock: clock.clone(),
        launcher: launcher.clone(),
        observer: Arc::new(NoObserver),
    }
    .spawn();
    // Five minutes of normal time, the step, then normal time again: ten minutes after a step
    // forward; after a step back, until five minutes past where the clock had been.
    let before = start + TimeDelta::minutes(5);
    run_until(&clock, &mut handle, before).await;
    let stepped = before + TimeDelta::hours(step_hours);
    clock.set(stepped);
    handle.caught_up(stepped).await;
    let after = stepped.max(before) + TimeDelta::minutes(if step_hours > 0 { 10 } else { 5 });
    run_until(&clock, &mut handle, after).await;
    handle.stop().await;

    let fires = launcher.fires.lock().map(|f| f.clone()).unwrap_or_default();
    // Each due instant fires once at most.
    let mut fired_twice = fires.values().filter(|n| **n > 1).count();
    let mut not_fired = 0;
    let minute = |m: i64| start + TimeDelta::seconds(30) + TimeDelta::minutes(m);
    let last_before = minute(4);
    // The instants due in normal time: before the step, and after it (past what had run).
    let mut due: Vec<DateTime<Utc>> = (0..5).map(minute).collect();
    let mut instant = last_before + TimeDelta::minutes(1);
    while instant <= after {
        let in_gap = step_hours > 0 && instant <= stepped;
        if !in_gap {
            due.push(instant);
        }
        instant += TimeDelta::minutes(1);
    }
    not_fired += due.iter().filter(|d| !fires.contains_key(d)).count();
    if step_hours > 0 {
        // The two hours jumped over: caught up once, not 120 times, not never.
        let caught_up = fires
            .iter()
            .filter(|(d, _)| **d > last_before && **d <= stepped)
            .map(|(_, n)| *n)
            .sum::<usize>();
        match caught_up {
            0 => not_fired += 1,
            1 => {}
            more => fired_twice += more - 1,
        }
    }
    // Nothing fires that was not due.
    fired_twice += fires
        .keys()
        .filter(|d| {
            let caught_up = step_hours > 0 && **d > last_before && **d <= stepped;
            !(due.contains(d) || caught_up)
        })
        .count();
    Ok(ClockFigures {
        fired_twice,
        not_fired,
    })
}
