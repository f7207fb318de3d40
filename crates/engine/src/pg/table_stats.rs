//! Each user table's live row count as the server's statistics keep it: an estimate the
//! server maintains anyway, so reading it costs nothing on a database of any size.

use tokio_postgres::Client;

use crate::model::{Code, Problem};

/// `schema.table` (quoted where needed) → live rows, sorted by name.
pub async fn live_rows(client: &Client) -> Result<Vec<(String, i64)>, Problem> {
    let rows = client
        .query(
            "SELECT format('%I.%I', schemaname, relname), n_live_tup FROM pg_stat_user_tables ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| {
            Problem::new(
                Code::CountFailed,
                format!("The server's table statistics could not be read: {e}."),
                "Check the connection's user may read pg_stat_user_tables.",
            )
        })?;
    Ok(rows
        .iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1)))
        .collect())
}
