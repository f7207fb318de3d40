//! The `schedule` and `missed_run` tables.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection as Sql, OptionalExtension, Row};

use super::cron::CronSchedule;
use super::hook_config::Hooks;
use super::model::{CopyPlan, MissReason, MissedRun, Proof, Schedule, ScheduleInput};

use crate::model::{BackupId, BackupStatus, Code, ConnectionId, Problem, ScheduleId};
use crate::store::decode;
use crate::time::{now_utc, to_text};

const COLUMNS: &str = "s.id, s.name, s.connection_id, s.cron, s.timezone, s.is_active, s.format, \
     s.compression, s.keep_last, s.keep_days, s.last_run_at, s.next_run_at, s.last_backup_id, \
     s.last_status, s.last_error, s.created_at, s.updated_at, s.alert_after_seconds, \
     s.verify_every_seconds, s.stall_after_seconds, s.time_limit_seconds, s.ping_url, \
     s.on_success_url, s.on_failure_url, s.on_finish_cmd, s.hook_timeout_seconds, \
     lp.id, lp.backup_id, lp.started_at, lp.finished_at, lp.ok, lp.error, \
     s.copy_to, s.encrypt, s.keep_local";

/// Each schedule with its newest finished proof (one under way does not hide the last verdict;
/// one the app died during is as if it never started).
const FROM: &str = "schedule s LEFT JOIN proof lp ON lp.id = \
     (SELECT max(p.id) FROM proof p WHERE p.schedule_id = s.id AND p.finished_at IS NOT NULL)";

/// A schedule with its pattern as parsed (an error when it no longer parses).
pub type ParsedSchedule = (Schedule, Result<CronSchedule, Problem>);

/// A row with its pattern parsed once: the plain words come from it, and the scheduler keeps it.
fn parsed_row(row: &Row<'_>) -> rusqlite::Result<ParsedSchedule> {
    let cron: String = row.get(3)?;
    let timezone: String = row.get(4)?;
    let parsed = CronSchedule::parse(&cron, &timezone);
    // A pattern that no longer parses (edited by hand) still lists, with what is wrong.
    let description = match &parsed {
        Ok(cron) => cron.describe(),
        Err(problem) => problem.message.clone(),
    };
    let schedule = Schedule {
        id: ScheduleId(row.get(0)?),
        name: row.get(1)?,
        connection_id: ConnectionId(row.get(2)?),
        cron,
        timezone,
        description,
        is_active: row.get(5)?,
        format: decode::named(row, "schedule", 6, "format")?,
        // NULL is the default compression (schedules saved before it could be chosen).
        compression: decode::optional_parsed(row, "schedule", 7, "compression")?
            .unwrap_or_default(),
        keep_last: row.get(8)?,
        keep_days: row.get(9)?,
        last_run_at: row.get(10)?,
        next_run_at: row.get(11)?,
        last_backup_id: row.get::<_, Option<i64>>(12)?.map(BackupId),
        last_status: decode::optional_named(row, "schedule", 13, "last_status")?,
        last_error: row.get(14)?,
        created_at: row.get(15)?,
        updated_at: row.get(16)?,
        alert_after_seconds: row.get(17)?,
        verify_every_seconds: row.get(18)?,
        stall_after_seconds: row.get(19)?,
        time_limit_seconds: row.get(20)?,
        hooks: Hooks {
            ping_url: row.get(21)?,
            on_success_url: row.get(22)?,
            on_failure_url: row.get(23)?,
            on_finish_cmd: row.get(24)?,
            timeout_seconds: row.get(25)?,
        },
        last_proof: match row.get::<_, Option<i64>>(26)? {
            Some(id) => Some(Proof {
                id,
                schedule_id: ScheduleId(row.get(0)?),
                backup_id: row.get::<_, Option<i64>>(27)?.map(BackupId),
                started_at: row.get(28)?,
                finished_at: row.get(29)?,
                ok: row.get(30)?,
                error: row.get(31)?,
            }),
            None => None,
        },
        copies: CopyPlan {
            to: row
                .get::<_, Option<String>>(32)?
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default(),
            encrypt: row.get(33)?,
            keep_local: row.get(34)?,
        },
    };
    Ok((schedule, parsed))
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Schedule> {
    parsed_row(row).map(|(schedule, _)| schedule)
}

pub fn insert(
    sql: &Sql,
    input: &ScheduleInput,
    next_run_at: Option<DateTime<Utc>>,
) -> Result<ScheduleId, Problem> {
    ensure_name_free(sql, &input.name, None)?;
    let now = now_utc();
    sql.execute(
        "INSERT INTO schedule (name, connection_id, cron, timezone, is_active, format, compression,
                               keep_last, keep_days, next_run_at, created_at, updated_at,
                               alert_after_seconds, verify_every_seconds, stall_after_seconds,
                               time_limit_seconds, ping_url, on_success_url, on_failure_url,
                               on_finish_cmd, hook_timeout_seconds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18, ?19, ?20)",
        params![
            input.name,
            input.connection_id.0,
            input.cron,
            input.timezone,
            input.is_active,
            input.format.as_str(),
            input.compression.to_string(),
            input.keep_last,
            input.keep_days,
            next_run_at.map(to_text),
            now,
            input.alert_after_seconds,
            input.verify_every_seconds,
            input.stall_after_seconds,
            input.time_limit_seconds,
            input.hooks.ping_url,
            input.hooks.on_success_url,
            input.hooks.on_failure_url,
            input.hooks.on_finish_cmd,
            input.hooks.timeout_seconds
        ],
    )?;
    Ok(ScheduleId(sql.last_insert_rowid()))
}

/// Where the schedule's backups are copied, encrypted or not, and whether the local file stays.
pub fn set_copy_plan(sql: &Sql, id: ScheduleId, plan: &CopyPlan) -> Result<(), Problem> {
    let to = (!plan.to.is_empty()).then(|| serde_json::to_string(&plan.to).unwrap_or_default());
    let changed = sql.execute(
        "UPDATE schedule SET copy_to = ?2, encrypt = ?3, keep_local = ?4, updated_at = ?5 WHERE id = ?1",
        params![id.0, to, plan.encrypt, plan.keep_local, now_utc()],
    )?;
    if changed == 0 {
        return Err(not_found(&id.to_string()));
    }
    Ok(())
}

pub fn update(
    sql: &Sql,
    id: ScheduleId,
    input: &ScheduleInput,
    next_run_at: Option<DateTime<Utc>>,
) -> Result<(), Problem> {
    ensure_name_free(sql, &input.name, Some(id))?;
    let changed = sql.execute(
        "UPDATE schedule SET name = ?2, connection_id = ?3, cron = ?4, timezone = ?5,
                is_active = ?6, format = ?7, compression = ?8, keep_last = ?9, keep_days = ?10,
                next_run_at = ?11, updated_at = ?12, alert_after_seconds = ?13,
                verify_every_seconds = ?14, stall_after_seconds = ?15, time_limit_seconds = ?16,
                ping_url = ?17, on_success_url = ?18, on_failure_url = ?19, on_finish_cmd = ?20,
                hook_timeout_seconds = ?21
         WHERE id = ?1",
        params![
            id.0,
            input.name,
            input.connection_id.0,
            input.cron,
            input.timezone,
            input.is_active,
            input.format.as_str(),
            input.compression.to_string(),
            input.keep_last,
            input.keep_days,
            next_run_at.map(to_text),
            now_utc(),
            input.alert_after_seconds,
            input.verify_every_seconds,
            input.stall_after_seconds,
            input.time_limit_seconds,
            input.hooks.ping_url,
            input.hooks.on_success_url,
            input.hooks.on_failure_url,
            input.hooks.on_finish_cmd,
            input.hooks.timeout_seconds
        ],
    )?;
    if changed == 0 {
        return Err(not_found(&id.to_string()));
    }
    Ok(())
}

fn ensure_name_free(sql: &Sql, name: &str, except: Option<ScheduleId>) -> Result<(), Problem> {
    let taken: Option<i64> = sql
        .query_row(
            "SELECT id FROM schedule WHERE name = ?1 AND id IS NOT ?2",
            params![name, except.map(|id| id.0)],
            |row| row.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(Problem::new(
            Code::InvalidName,
            format!("A schedule named \"{name}\" already exists."),
            "Choose another name, or edit that schedule.",
        )),
        None => Ok(()),
    }
}

pub fn delete(sql: &Sql, id: ScheduleId) -> Result<(), Problem> {
    if sql.execute("DELETE FROM schedule WHERE id = ?1", [id.0])? == 0 {
        return Err(not_found(&id.to_string()));
    }
    Ok(())
}

pub fn get(sql: &Sql, id: ScheduleId) -> Result<Schedule, Problem> {
    sql.query_row(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE s.id = ?1"),
        [id.0],
        from_row,
    )
    .optional()?
    .ok_or_else(|| not_found(&id.to_string()))
}

/// By name, or by id.
pub fn find(sql: &Sql, reference: &str) -> Result<Schedule, Problem> {
    let by_name = sql
        .query_row(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE s.name = ?1"),
            [reference],
            from_row,
        )
        .optional()?;
    if let Some(schedule) = by_name {
        return Ok(schedule);
    }
    match reference.trim().parse::<i64>() {
        Ok(id) => get(sql, ScheduleId(id)),
        Err(_) => Err(not_found(reference)),
    }
}

pub fn list(sql: &Sql) -> Result<Vec<Schedule>, Problem> {
    let mut statement = sql.prepare(&format!(
        "SELECT {COLUMNS} FROM {FROM} ORDER BY s.name COLLATE NOCASE, s.id"
    ))?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Active schedules with their parsed patterns, for the scheduler.
pub fn list_active(sql: &Sql) -> Result<Vec<ParsedSchedule>, Problem> {
    let mut statement = sql.prepare(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE s.is_active = 1 ORDER BY s.id"
    ))?;
    let rows = statement.query_map([], parsed_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn set_active(
    sql: &Sql,
    id: ScheduleId,
    active: bool,
    next_run_at: Option<DateTime<Utc>>,
) -> Result<(), Problem> {
    let changed = sql.execute(
        "UPDATE schedule SET is_active = ?2, next_run_at = ?3, updated_at = ?4 WHERE id = ?1",
        params![id.0, active, next_run_at.map(to_text), now_utc()],
    )?;
    if changed == 0 {
        return Err(not_found(&id.to_string()));
    }
    Ok(())
}

/// The scheduler's bookkeeping after a due time: when it ran (None: it did not) and the next.
pub fn set_times(
    sql: &Sql,
    id: ScheduleId,
    ran_at: Option<DateTime<Utc>>,
    next_run_at: Option<DateTime<Utc>>,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE schedule SET last_run_at = coalesce(?2, last_run_at), next_run_at = ?3
         WHERE id = ?1",
        params![id.0, ran_at.map(to_text), next_run_at.map(to_text)],
    )?;
    Ok(())
}

/// How the schedule's last run ended (the schedule may have been deleted meanwhile).
pub fn set_outcome(
    sql: &Sql,
    id: ScheduleId,
    backup: Option<BackupId>,
    status: BackupStatus,
    error: Option<&str>,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE schedule SET last_backup_id = ?2, last_status = ?3, last_error = ?4 WHERE id = ?1",
        params![id.0, backup.map(|b| b.0), status.as_str(), error],
    )?;
    Ok(())
}

/// Records runs that did not happen. A `busy` skip right after another one (no run fired in
/// between) extends that row instead: a per-second schedule behind an hour-long dump is one
/// row of 3,600, not 3,600 rows.
pub fn insert_missed(sql: &Sql, missed: &MissedRun) -> Result<(), Problem> {
    if missed.reason == MissReason::Busy {
        let merged = sql.execute(
            "UPDATE missed_run SET last_due_at = ?2, count = count + ?3, detail = ?4, recorded_at = ?5
             WHERE id = (SELECT id FROM missed_run WHERE schedule_id = ?1 ORDER BY id DESC LIMIT 1)
               AND reason = 'busy'
               AND last_due_at >= COALESCE((SELECT last_run_at FROM schedule WHERE id = ?1), '')",
            params![
                missed.schedule_id.0,
                missed.last_due_at,
                missed.count,
                missed.detail,
                missed.recorded_at
            ],
        )?;
        if merged > 0 {
            return Ok(());
        }
    }
    sql.execute(
        "INSERT INTO missed_run (schedule_id, reason, first_due_at, last_due_at, count, detail,
                                 recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            missed.schedule_id.0,
            missed.reason.as_str(),
            missed.first_due_at,
            missed.last_due_at,
            missed.count,
            missed.detail,
            missed.recorded_at
        ],
    )?;
    Ok(())
}

/// A schedule's missed and skipped runs, newest first.
pub fn list_missed(sql: &Sql, id: ScheduleId, limit: u32) -> Result<Vec<MissedRun>, Problem> {
    let mut statement = sql.prepare(
        "SELECT schedule_id, reason, first_due_at, last_due_at, count, detail, recorded_at
         FROM missed_run WHERE schedule_id = ?1 ORDER BY recorded_at DESC, id DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![id.0, limit], |row| {
        let reason: String = row.get(1)?;
        Ok(MissedRun {
            schedule_id: ScheduleId(row.get(0)?),
            reason: if reason == "busy" {
                MissReason::Busy
            } else {
                MissReason::Missed
            },
            first_due_at: row.get(2)?,
            last_due_at: row.get(3)?,
            count: row.get(4)?,
            detail: row.get(5)?,
            recorded_at: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// True when a backup of the connection is running in any process.
pub fn connection_has_running_backup(
    sql: &Sql,
    connection: ConnectionId,
) -> Result<Option<BackupId>, Problem> {
    Ok(sql
        .query_row(
            "SELECT id FROM backup WHERE connection_id = ?1 AND status = 'running' LIMIT 1",
            [connection.0],
            |row| row.get(0),
        )
        .optional()?
        .map(BackupId))
}

pub fn not_found(reference: &str) -> Problem {
    Problem::new(
        Code::ScheduleNotFound,
        format!("There is no schedule \"{reference}\"."),
        "List the schedules with `dbm schedule list`, or refresh the Schedules page.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::{ConnectionInput, Connections};
    use crate::model::SslMode;
    use crate::schedules::Schedules;
    use crate::store::Store;

    fn busy(schedule: ScheduleId, second: u32) -> MissedRun {
        let at = format!("2026-12-01T10:00:{second:02}Z");
        MissedRun {
            schedule_id: schedule,
            reason: MissReason::Busy,
            first_due_at: at.clone(),
            last_due_at: at.clone(),
            count: 1,
            detail: Some("Backup #1 of this connection was still running.".into()),
            recorded_at: at,
        }
    }

    #[test]
    fn consecutive_busy_skips_are_one_row_and_a_fired_run_starts_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
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
        let schedule = Schedules::new(&store)
            .create(&ScheduleInput {
                name: "every second".into(),
                connection_id: connection,
                cron: "* * * * * *".into(),
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
            })
            .unwrap()
            .id;
        let sql = store.connection();
        for second in 1..=30 {
            insert_missed(&sql, &busy(schedule, second)).unwrap();
        }
        let rows = list_missed(&sql, schedule, 10).unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].count, 30);
        assert_eq!(rows[0].first_due_at, "2026-12-01T10:00:01Z");
        assert_eq!(rows[0].last_due_at, "2026-12-01T10:00:30Z");
        // A run fired after them: the next skip is a stretch of its own.
        sql.execute(
            "UPDATE schedule SET last_run_at = '2026-12-01T10:00:31Z' WHERE id = ?1",
            [schedule.0],
        )
        .unwrap();
        insert_missed(&sql, &busy(schedule, 40)).unwrap();
        assert_eq!(list_missed(&sql, schedule, 10).unwrap().len(), 2);
    }
}
