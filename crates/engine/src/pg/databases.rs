//! The databases of a server, as `pg_database` lists them.

use tokio_postgres::Client;

use crate::model::{Code, Problem};

/// One database of a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDatabase {
    pub name: String,
    pub allows_connections: bool,
    pub is_template: bool,
    /// The connecting user may connect to it.
    pub may_connect: bool,
    /// Its size on disk (None where the user may not connect).
    pub size_bytes: Option<i64>,
}

/// Every database of the server the client is connected to, by name.
pub async fn list(client: &Client) -> Result<Vec<ServerDatabase>, Problem> {
    let rows = client
        .query(
            "SELECT datname, datallowconn, datistemplate,
                    has_database_privilege(oid, 'CONNECT'),
                    CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid) END
             FROM pg_database ORDER BY datname",
            &[],
        )
        .await
        .map_err(|error| {
            Problem::new(
                Code::DatabasesUnlisted,
                format!("The server's databases could not be listed: {error}."),
                "Check that the user may read pg_database (every user may, by default).",
            )
        })?;
    Ok(rows
        .iter()
        .map(|row| ServerDatabase {
            name: row.get(0),
            allows_connections: row.get(1),
            is_template: row.get(2),
            may_connect: row.get(3),
            size_bytes: row.get(4),
        })
        .collect())
}
