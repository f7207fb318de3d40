//! What a whole-server connection takes now: its server's databases, each taken or left out
//! with the reason (a template, closed to connections, an include or exclude pattern).

use serde::Serialize;
use ts_rs::TS;

use super::model::Scope;
use crate::model::{Code, Problem};
use crate::pg::{self, ConnectTarget};

/// One database of the server and whether a run takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseChoice {
    pub name: String,
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    pub taken: bool,
    /// Why it is left out (None when taken).
    pub reason: Option<String>,
}

/// The server's databases as `scope` chooses among them.
pub async fn choices(
    target: &ConnectTarget,
    scope: &Scope,
) -> Result<Vec<DatabaseChoice>, Problem> {
    choices_on(&pg::connect(target).await?, scope).await
}

/// As `choices`, on a session already open on the server.
pub async fn choices_on(
    client: &tokio_postgres::Client,
    scope: &Scope,
) -> Result<Vec<DatabaseChoice>, Problem> {
    let found = pg::databases::list(client).await?;
    Ok(found
        .into_iter()
        .map(|db| {
            let reason = if db.is_template {
                Some("a template".to_string())
            } else if !db.allows_connections {
                Some("does not allow connections".to_string())
            } else {
                scope.leaves_out(&db.name)
            };
            DatabaseChoice {
                name: db.name,
                size_bytes: db.size_bytes,
                taken: reason.is_none(),
                reason,
            }
        })
        .collect())
}

/// Refuses a choice that takes nothing: a set of no database is no backup.
pub fn ensure_some(choices: &[DatabaseChoice]) -> Result<(), Problem> {
    if choices.iter().any(|c| c.taken) {
        return Ok(());
    }
    Err(Problem::new(
        Code::NoDatabasesTaken,
        format!(
            "The include and exclude patterns leave none of the server's {} databases.",
            choices
                .iter()
                .filter(|c| c.reason.as_deref() != Some("a template"))
                .count()
        ),
        "Change the patterns: `dbm connection databases NAME` lists what a run would take.",
    ))
}
