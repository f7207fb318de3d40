//! Counting every user table's rows: in the source, and in what a backup restored into.

use std::sync::Arc;

use crate::backups::Backup;
use crate::blocking::run_blocking;
use crate::connections::Connections;
use crate::model::{Code, ConnectionId, Problem};
use crate::pg::{ConnectTarget, DEFAULT_CONNECT_TIMEOUT};
use crate::store::Store;

/// Every user table with its exact row count, as `schema.table|rows` lines.
pub const COUNT_ROWS_SQL: &str = "SELECT format('%I.%I', n.nspname, c.relname), \
     (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1";

/// What a throwaway restore produced: row counts per table, and the errors a partial dump's
/// restore tolerated.
pub(super) struct Restored {
    pub counts: Vec<(String, i64)>,
    pub tolerated: Vec<String>,
}

/// The source's counts: the connection's database, or (a set's part) the part's database on
/// the connection's server.
pub(super) async fn source_counts(
    store: &Arc<Store>,
    backup: &Backup,
    database: Option<&str>,
) -> Result<Vec<(String, i64)>, Problem> {
    let mut target = connection_target(store, backup.connection_id).await?;
    if let Some(database) = database {
        target.database = database.to_string();
    }
    count_rows(&target).await
}

/// A saved connection's server and database, with its password.
pub(super) async fn connection_target(
    store: &Arc<Store>,
    connection_id: ConnectionId,
) -> Result<ConnectTarget, Problem> {
    let lookup = store.clone();
    run_blocking(move || Connections::new(&lookup).target(connection_id, DEFAULT_CONNECT_TIMEOUT))
        .await
}

/// Every user table's exact row count in the target database.
pub(super) async fn count_rows(target: &ConnectTarget) -> Result<Vec<(String, i64)>, Problem> {
    let client = crate::pg::connect(target).await?;
    let rows = client.query(COUNT_ROWS_SQL, &[]).await.map_err(|e| {
        Problem::new(
            Code::CountFailed,
            format!("Counting rows failed: {e}."),
            "Check the connection.",
        )
    })?;
    Ok(rows
        .iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1)))
        .collect())
}
