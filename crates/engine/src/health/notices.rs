//! Telling the user a connection is overdue: once when it becomes so, then at most daily, and
//! remembered across restarts (the `overdue_notice` table).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};

use super::ConnectionHealth;
use crate::model::Problem;
use crate::store::Store;
use crate::time::{from_text, to_text};

/// How often an overdue connection is told again while it stays overdue.
const REPEAT_AFTER: Duration = Duration::days(1);

/// Of `health`, the overdue connections to tell the user about at `now`; records that they
/// were told. Connections no longer overdue are forgotten, so a new lapse is told at once.
pub fn notices_due(
    store: &Store,
    health: &[ConnectionHealth],
    now: DateTime<Utc>,
) -> Result<Vec<ConnectionHealth>, Problem> {
    let mut sql = store.connection();
    let tx = sql.transaction()?;
    let mut due = Vec::new();
    for entry in health {
        if !entry.overdue {
            tx.execute(
                "DELETE FROM overdue_notice WHERE connection_id = ?1",
                [entry.connection_id.0],
            )?;
            continue;
        }
        let told: Option<String> = tx
            .query_row(
                "SELECT notified_at FROM overdue_notice WHERE connection_id = ?1",
                [entry.connection_id.0],
                |row| row.get(0),
            )
            .optional()?;
        // A time that does not read (edited by hand) or lies in the future tells again.
        let recent = told
            .as_deref()
            .and_then(from_text)
            .is_some_and(|at| at <= now && now - at < REPEAT_AFTER);
        if recent {
            continue;
        }
        tx.execute(
            "INSERT INTO overdue_notice (connection_id, notified_at) VALUES (?1, ?2)
             ON CONFLICT (connection_id) DO UPDATE SET notified_at = excluded.notified_at",
            params![entry.connection_id.0, to_text(now)],
        )?;
        due.push(entry.clone());
    }
    tx.commit()?;
    Ok(due)
}
