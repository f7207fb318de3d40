//! The scheduler's idea of time, behind a trait so tests can move it.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

pub trait Clock: Send + Sync + 'static {
    /// The wall clock.
    fn now(&self) -> DateTime<Utc>;
    /// Waits until the wall clock reads `deadline` (the scheduler never asks for long: see
    /// `MAX_SLEEP`). An absolute deadline, so time that passes before the wait starts counts.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_>;
}

/// The real clock. Its sleeps are monotonic: they do not advance while the machine is
/// suspended, which is why the scheduler keeps them short and re-reads `now()` after each.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_> {
        let duration = (deadline - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock that only moves when told: sleeps end when `advance` or `set` reach their end.
pub struct TestClock {
    now: watch::Sender<DateTime<Utc>>,
}

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> TestClock {
        TestClock {
            now: watch::Sender::new(start),
        }
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        self.now.send_replace(instant);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.now.send_modify(|now| *now += by);
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_> {
        let mut now = self.now.subscribe();
        Box::pin(async move {
            // An error means the clock is gone: nothing will ever wake this sleep.
            if now.wait_for(|now| *now >= deadline).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}
