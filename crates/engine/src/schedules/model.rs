//! Schedules as the rest of the app sees them, and the rules their fields obey.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::cron::CronSchedule;
use super::hook_config::Hooks;

use crate::dump::options::DumpOptions;
use crate::model::{
    BackupId, BackupStatus, Code, Compression, ConnectionId, DumpFormat, Problem, ScheduleId,
};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_KEEP_LAST: u32 = 10_000;
pub const MAX_KEEP_DAYS: u32 = 36_500;
pub const MIN_ALERT_AFTER: u32 = 5 * 60;
pub const MAX_ALERT_AFTER: u32 = 365 * 24 * 3600;
/// New schedules prove their newest backup weekly unless told otherwise.
pub const DEFAULT_VERIFY_EVERY: u32 = 7 * 24 * 3600;
pub const MIN_VERIFY_EVERY: u32 = 3600;
pub const MAX_VERIFY_EVERY: u32 = 365 * 24 * 3600;
/// Stall and time limits: from a minute (tests use 20 s stalls through `dbm backup run`) to a
/// week.
pub const MIN_RUN_LIMIT: u32 = 10;
pub const MAX_RUN_LIMIT: u32 = 7 * 24 * 3600;

/// A saved schedule with what its runs left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub id: ScheduleId,
    pub name: String,
    pub connection_id: ConnectionId,
    pub cron: String,
    /// IANA zone the pattern is read in.
    pub timezone: String,
    /// The pattern in plain words.
    pub description: String,
    pub is_active: bool,
    pub format: DumpFormat,
    pub compression: Compression,
    pub keep_last: Option<u32>,
    pub keep_days: Option<u32>,
    /// The connection is overdue after this long without a good backup (None: twice the
    /// schedule's interval).
    pub alert_after_seconds: Option<u32>,
    /// Verify the newest backup by restoring it this often (None: never).
    pub verify_every_seconds: Option<u32>,
    /// How long a run may write nothing before it is ended (None: the setting).
    pub stall_after_seconds: Option<u32>,
    /// How long a run may take at most (None: no limit).
    pub time_limit_seconds: Option<u32>,
    pub hooks: Hooks,
    /// The newest proof (verify by restore on the scheduler's initiative), if any.
    pub last_proof: Option<Proof>,
    /// The storage locations its backups are copied to.
    pub copies: CopyPlan,
    pub last_run_at: Option<String>,
    /// None while paused.
    pub next_run_at: Option<String>,
    pub last_backup_id: Option<BackupId>,
    pub last_status: Option<BackupStatus>,
    /// Why the last run failed, in pg_dump's words.
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Where a schedule's backups go besides the local backup root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CopyPlan {
    /// Locations, in the order they are copied to (a removed one is skipped).
    pub to: Vec<crate::model::LocationId>,
    /// Copies are encrypted with age (this installation's key and the extra recipients).
    pub encrypt: bool,
    /// False: once a backup is copied to every location, its local file goes (the record
    /// stays; restore fetches it back).
    pub keep_local: bool,
}

impl Default for CopyPlan {
    fn default() -> Self {
        CopyPlan {
            to: Vec::new(),
            encrypt: false,
            keep_local: true,
        }
    }
}

/// One verification by restore the scheduler ran for a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    #[ts(type = "number")]
    pub id: i64,
    pub schedule_id: ScheduleId,
    /// The backup it restored (None once that backup is deleted).
    pub backup_id: Option<BackupId>,
    pub started_at: String,
    /// None while it runs (or when the app stopped during it).
    pub finished_at: Option<String>,
    pub ok: Option<bool>,
    /// Why it failed, in the words of the failed checks.
    pub error: Option<String>,
}

impl Schedule {
    /// What a run of this schedule dumps.
    pub fn dump_options(&self) -> DumpOptions {
        DumpOptions {
            format: self.format,
            compression: self.compression.clone(),
            ..DumpOptions::default()
        }
    }
}

/// A schedule as the user enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInput {
    /// Empty: named after the connection and the pattern.
    #[serde(default)]
    pub name: String,
    pub connection_id: ConnectionId,
    pub cron: String,
    pub timezone: String,
    #[serde(default = "active_by_default")]
    pub is_active: bool,
    #[serde(default)]
    pub format: DumpFormat,
    #[serde(default)]
    pub compression: Compression,
    #[serde(default)]
    pub keep_last: Option<u32>,
    #[serde(default)]
    pub keep_days: Option<u32>,
    /// After how long without a good backup the connection is overdue (None: twice the
    /// schedule's interval).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub alert_after_seconds: Option<u32>,
    /// Verify the newest backup by restoring it this often (absent: weekly; null: never).
    #[serde(default = "weekly")]
    #[ts(optional = nullable)]
    pub verify_every_seconds: Option<u32>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub stall_after_seconds: Option<u32>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub time_limit_seconds: Option<u32>,
    #[serde(default)]
    pub hooks: Hooks,
}

fn active_by_default() -> bool {
    true
}

fn weekly() -> Option<u32> {
    Some(DEFAULT_VERIFY_EVERY)
}

/// Input that passed every check, with its parsed pattern.
#[derive(Debug, Clone)]
pub struct ValidSchedule {
    pub input: ScheduleInput,
    pub cron: CronSchedule,
}

impl ValidSchedule {
    /// The next run after `now`; none while paused.
    pub fn first_run(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        if self.input.is_active {
            self.cron.next_after(now)
        } else {
            None
        }
    }
}

impl ScheduleInput {
    /// Checks everything that needs no database: name, pattern, zone, options, retention.
    pub fn validate(&self) -> Result<ValidSchedule, Problem> {
        let cron = CronSchedule::parse(&self.cron, &self.timezone)?;
        let name = self.name.trim().to_string();
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Problem::new(
                Code::InvalidName,
                format!("The name is {} characters long.", name.chars().count()),
                format!("Use at most {MAX_NAME_CHARS} characters."),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Problem::new(
                Code::InvalidName,
                "The name contains control characters (a tab or a line break).",
                "Use a name on one line.",
            ));
        }
        self.dump_options().validate()?;
        if let Some(keep) = self.keep_last {
            if !(1..=MAX_KEEP_LAST).contains(&keep) {
                return Err(Problem::new(
                    Code::InvalidKeepLast,
                    format!("Keeping the last {keep} backups is not possible."),
                    format!("Keep between 1 and {MAX_KEEP_LAST}, or leave it empty to keep all."),
                ));
            }
        }
        if let Some(days) = self.keep_days {
            if !(1..=MAX_KEEP_DAYS).contains(&days) {
                return Err(Problem::new(
                    Code::InvalidKeepDays,
                    format!("Keeping backups for {days} days is not possible."),
                    format!(
                        "Keep between 1 and {MAX_KEEP_DAYS} days, or leave it empty to keep all."
                    ),
                ));
            }
        }
        if let Some(seconds) = self.alert_after_seconds {
            if !(MIN_ALERT_AFTER..=MAX_ALERT_AFTER).contains(&seconds) {
                return Err(Problem::new(
                    Code::InvalidAlertAfter,
                    format!(
                        "An alert after {} is not possible.",
                        crate::time::human_duration(u64::from(seconds))
                    ),
                    "Use between 5 minutes and 365 days, or leave it empty for twice the schedule's interval.",
                ));
            }
        }
        check_range(
            self.verify_every_seconds,
            MIN_VERIFY_EVERY..=MAX_VERIFY_EVERY,
            Code::InvalidVerifyEvery,
            "Verifying by restore every",
            "Use between 1 hour and 365 days, or none to never verify on a schedule.",
        )?;
        check_range(
            self.stall_after_seconds,
            MIN_RUN_LIMIT..=MAX_RUN_LIMIT,
            Code::InvalidStallAfter,
            "A stall limit of",
            "Use between 10 seconds and 7 days, or leave it empty for the setting.",
        )?;
        check_range(
            self.time_limit_seconds,
            MIN_RUN_LIMIT..=MAX_RUN_LIMIT,
            Code::InvalidTimeLimit,
            "A time limit of",
            "Use between 10 seconds and 7 days, or leave it empty for no limit.",
        )?;
        let hooks = super::hook_config::validate(&self.hooks)?;
        let mut input = self.clone();
        input.hooks = hooks;
        input.name = name;
        input.cron = cron.pattern.clone();
        input.timezone = cron.zone.name().to_string();
        Ok(ValidSchedule { input, cron })
    }

    fn dump_options(&self) -> DumpOptions {
        DumpOptions {
            format: self.format,
            compression: self.compression.clone(),
            ..DumpOptions::default()
        }
    }
}

/// A duration field outside its range: refused with its words.
fn check_range(
    value: Option<u32>,
    range: std::ops::RangeInclusive<u32>,
    code: Code,
    what: &str,
    fix: &str,
) -> Result<(), Problem> {
    match value {
        Some(seconds) if !range.contains(&seconds) => Err(Problem::new(
            code,
            format!(
                "{what} {} is not possible.",
                crate::time::human_duration(u64::from(seconds))
            ),
            fix,
        )),
        _ => Ok(()),
    }
}

/// Why a due run did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum MissReason {
    /// Due while the app was closed or asleep, longer ago than the catch-up grace window.
    Missed,
    /// The connection was already being backed up.
    Busy,
}

impl MissReason {
    pub fn as_str(self) -> &'static str {
        match self {
            MissReason::Missed => "missed",
            MissReason::Busy => "busy",
        }
    }
}

/// A stretch of due runs that did not start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MissedRun {
    pub schedule_id: ScheduleId,
    pub reason: MissReason,
    pub first_due_at: String,
    pub last_due_at: String,
    pub count: u32,
    pub detail: Option<String>,
    pub recorded_at: String,
}

/// The next runs of a pattern, for the form's preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SchedulePreview {
    pub pattern: String,
    pub timezone: String,
    pub description: String,
    /// RFC 3339 with the schedule zone's offset.
    pub runs: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(cron: &str, zone: &str) -> ScheduleInput {
        ScheduleInput {
            name: String::new(),
            connection_id: ConnectionId(1),
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
            hooks: Hooks::default(),
        }
    }

    #[test]
    fn bad_patterns_zones_and_retention_are_refused_with_their_field() {
        let code = |i: ScheduleInput| i.validate().unwrap_err().code;
        assert_eq!(code(input("61 * * * *", "UTC")), Code::InvalidCron);
        assert_eq!(code(input("* * *", "UTC")), Code::InvalidCron);
        assert_eq!(code(input("", "UTC")), Code::InvalidCron);
        assert_eq!(code(input("0 0 30 2 *", "UTC")), Code::InvalidCron);
        assert_eq!(
            code(input("0 3 * * *", "Mars/Olympus")),
            Code::InvalidTimezone
        );
        let mut keep = input("0 3 * * *", "UTC");
        keep.keep_last = Some(0);
        assert_eq!(code(keep.clone()), Code::InvalidKeepLast);
        keep.keep_last = None;
        keep.keep_days = Some(40_000);
        assert_eq!(code(keep), Code::InvalidKeepDays);
        let mut tar = input("0 3 * * *", "UTC");
        tar.format = DumpFormat::Tar;
        tar.compression = Compression::Gzip { level: 6 };
        assert_eq!(code(tar), Code::InvalidCompression);
        let mut long = input("0 3 * * *", "UTC");
        long.name = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(code(long), Code::InvalidName);
        let mut proof = input("0 3 * * *", "UTC");
        proof.verify_every_seconds = Some(60);
        assert_eq!(code(proof), Code::InvalidVerifyEvery);
        let mut limits = input("0 3 * * *", "UTC");
        limits.stall_after_seconds = Some(1);
        assert_eq!(code(limits.clone()), Code::InvalidStallAfter);
        limits.stall_after_seconds = None;
        limits.time_limit_seconds = Some(MAX_RUN_LIMIT + 1);
        assert_eq!(code(limits), Code::InvalidTimeLimit);
    }

    #[test]
    fn valid_input_is_normalised() {
        let mut i = input("  @daily ", "europe/berlin");
        i.name = "  nightly ".into();
        let valid = i.validate().unwrap();
        assert_eq!(valid.input.name, "nightly");
        assert_eq!(valid.input.cron, "@daily");
        assert_eq!(valid.input.timezone, "Europe/Berlin");
    }
}
