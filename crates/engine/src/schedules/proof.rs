//! Proof on a schedule: every `verify_every_seconds` the scheduler restores the connection's
//! newest completed backup into a throwaway container and compares its tables with the
//! source. Each proof is a row of the `proof` table; the newest one is the schedule's state
//! ("not proven" when it failed).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection as Sql};

use super::model::{Proof, Schedule};
use crate::backups::repository as backups;
use crate::blocking::run_blocking;
use crate::library::verify::{self, RestoreCheck};
use crate::model::{BackupId, Problem, ScheduleId};
use crate::store::Store;
use crate::time::{from_text, to_text};

/// The backup a proof of `schedule` should restore now, if one is due: its period has passed
/// since the last proof (or since the schedule was made), or the last proof failed and a newer
/// backup has been made since.
pub fn due(
    sql: &Sql,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<Option<BackupId>, Problem> {
    let Some(every) = schedule.verify_every_seconds else {
        return Ok(None);
    };
    let Some(newest) = backups::newest_completed(sql, schedule.connection_id)? else {
        return Ok(None);
    };
    let last = schedule.last_proof.as_ref();
    let since = last
        .and_then(|p| from_text(&p.started_at))
        .or_else(|| from_text(&schedule.created_at));
    let period_over = since.is_none_or(|since| now >= since + Duration::seconds(i64::from(every)));
    let retry = last.is_some_and(|p| p.ok == Some(false) && p.backup_id != Some(newest));
    Ok((period_over || retry).then_some(newest))
}

/// Restores `backup` for `schedule` and records the proof (started at `now`, the scheduler's
/// clock) and the verification on the backup.
pub async fn prove(
    store: Arc<Store>,
    schedule: &Schedule,
    backup: BackupId,
    now: DateTime<Utc>,
) -> Result<Proof, Problem> {
    let (recording, schedule_id) = (store.clone(), schedule.id);
    let id = run_blocking(move || {
        let sql = recording.connection();
        sql.execute(
            "INSERT INTO proof (schedule_id, backup_id, started_at) VALUES (?1, ?2, ?3)",
            params![schedule_id.0, backup.0, to_text(now)],
        )?;
        Ok(sql.last_insert_rowid())
    })
    .await?;
    tracing::info!(schedule = schedule.id.0, backup = backup.0, "proof started");
    let started = std::time::Instant::now();
    let (ok, error) = match verify::verify(store.clone(), backup, RestoreCheck::Container).await {
        Ok(verification) if verification.ok => (true, None),
        Ok(verification) => {
            let failed: Vec<String> = verification
                .checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| format!("{}: {}", c.name, c.detail))
                .collect();
            (false, Some(failed.join("; ")))
        }
        Err(problem) => (false, Some(problem.to_string())),
    };
    let finished = now + Duration::milliseconds(started.elapsed().as_millis() as i64);
    let proof = Proof {
        id,
        schedule_id: schedule.id,
        backup_id: Some(backup),
        started_at: to_text(now),
        finished_at: Some(to_text(finished)),
        ok: Some(ok),
        error,
    };
    let record = proof.clone();
    run_blocking(move || {
        store.connection().execute(
            "UPDATE proof SET finished_at = ?2, ok = ?3, error = ?4 WHERE id = ?1",
            params![record.id, record.finished_at, record.ok, record.error],
        )?;
        Ok(())
    })
    .await?;
    match &proof.error {
        None => tracing::info!(schedule = schedule.id.0, backup = backup.0, "proof passed"),
        Some(error) => {
            tracing::warn!(schedule = schedule.id.0, backup = backup.0, %error, "proof failed")
        }
    }
    Ok(proof)
}

/// A schedule's proofs, newest first.
pub fn list(sql: &Sql, schedule: ScheduleId, limit: u32) -> Result<Vec<Proof>, Problem> {
    let mut statement = sql.prepare(
        "SELECT id, schedule_id, backup_id, started_at, finished_at, ok, error FROM proof
         WHERE schedule_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![schedule.0, limit], |row| {
        Ok(Proof {
            id: row.get(0)?,
            schedule_id: ScheduleId(row.get(1)?),
            backup_id: row.get::<_, Option<i64>>(2)?.map(BackupId),
            started_at: row.get(3)?,
            finished_at: row.get(4)?,
            ok: row.get(5)?,
            error: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
