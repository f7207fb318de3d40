//! Schedules: cron patterns in an IANA time zone. So far the rules (validation, next runs,
//! plain words); the repository and the scheduler task come with the schedules issue.

pub mod cron;
