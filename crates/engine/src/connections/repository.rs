//! The `connection` table.

use rusqlite::{params, Connection as Sql, OptionalExtension, Row};

use super::model::{Connection, ConnectionFields, Scope};
use crate::model::{Code, ConnectionId, Problem};
use crate::store::decode;
use crate::time::now_utc;

const COLUMNS: &str = "id, name, host, port, database, username, sslmode, server_version, \
                       major_version, is_active, created_at, updated_at, removed_at, \
                       all_databases, include_patterns, exclude_patterns";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Connection> {
    Ok(Connection {
        id: ConnectionId(row.get(0)?),
        name: row.get(1)?,
        host: row.get(2)?,
        port: row.get(3)?,
        database: row.get(4)?,
        username: row.get(5)?,
        sslmode: decode::named(row, "connection", 6, "sslmode")?,
        server_version: row.get(7)?,
        major_version: row.get(8)?,
        is_active: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        removed_at: row.get(12)?,
        scope: Scope {
            all_databases: row.get(13)?,
            include: patterns(row.get(14)?),
            exclude: patterns(row.get(15)?),
        },
    })
}

/// A JSON list of patterns as stored (NULL: none).
fn patterns(json: Option<String>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default()
}

fn patterns_json(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::to_string(list).unwrap_or_default())
}

pub fn insert(sql: &Sql, fields: &ConnectionFields) -> Result<ConnectionId, Problem> {
    let now = now_utc();
    sql.execute(
        "INSERT INTO connection (name, host, port, database, username, sslmode, created_at, updated_at,
                                 all_databases, include_patterns, exclude_patterns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10)",
        params![
            fields.name,
            fields.host,
            fields.port,
            fields.database,
            fields.username,
            fields.sslmode.as_str(),
            now,
            fields.scope.all_databases,
            patterns_json(&fields.scope.include),
            patterns_json(&fields.scope.exclude)
        ],
    )
    .map_err(|e| name_taken_or(e, &fields.name))?;
    Ok(ConnectionId(sql.last_insert_rowid()))
}

pub fn update(sql: &Sql, id: ConnectionId, fields: &ConnectionFields) -> Result<(), Problem> {
    let changed = sql
        .execute(
            "UPDATE connection SET name = ?2, host = ?3, port = ?4, database = ?5, username = ?6,
                    sslmode = ?7, updated_at = ?8, all_databases = ?9, include_patterns = ?10,
                    exclude_patterns = ?11,
                    -- the detected version belongs to the old server when the address changes
                    server_version = CASE WHEN host = ?3 AND port = ?4 THEN server_version END,
                    major_version = CASE WHEN host = ?3 AND port = ?4 THEN major_version END
             WHERE id = ?1",
            params![
                id.0,
                fields.name,
                fields.host,
                fields.port,
                fields.database,
                fields.username,
                fields.sslmode.as_str(),
                now_utc(),
                fields.scope.all_databases,
                patterns_json(&fields.scope.include),
                patterns_json(&fields.scope.exclude)
            ],
        )
        .map_err(|e| name_taken_or(e, &fields.name))?;
    if changed == 0 {
        return Err(not_found(&id.to_string()));
    }
    Ok(())
}

/// Writes a connection back exactly as it was read (undoing an update).
pub fn put_back(sql: &Sql, connection: &Connection) -> Result<(), Problem> {
    sql.execute(
        "UPDATE connection SET name = ?2, host = ?3, port = ?4, database = ?5, username = ?6,
                sslmode = ?7, server_version = ?8, major_version = ?9, updated_at = ?10,
                all_databases = ?11, include_patterns = ?12, exclude_patterns = ?13
         WHERE id = ?1",
        params![
            connection.id.0,
            connection.name,
            connection.host,
            connection.port,
            connection.database,
            connection.username,
            connection.sslmode.as_str(),
            connection.server_version,
            connection.major_version,
            connection.updated_at,
            connection.scope.all_databases,
            patterns_json(&connection.scope.include),
            patterns_json(&connection.scope.exclude)
        ],
    )?;
    Ok(())
}

pub fn set_server_version(
    sql: &Sql,
    id: ConnectionId,
    version: &str,
    major: u32,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE connection SET server_version = ?2, major_version = ?3 WHERE id = ?1",
        params![id.0, version, major],
    )?;
    Ok(())
}

pub fn delete(sql: &Sql, id: ConnectionId) -> Result<(), Problem> {
    if sql.execute("DELETE FROM connection WHERE id = ?1", [id.0])? == 0 {
        return Err(not_found(&id.to_string()));
    }
    Ok(())
}

/// Marks a connection removed (its backups stay, under its name) and removes its schedules.
pub fn retire(sql: &mut Sql, id: ConnectionId) -> Result<(), Problem> {
    let tx = sql.transaction()?;
    let changed = tx.execute(
        "UPDATE connection SET removed_at = ?2, is_active = 0, updated_at = ?2
         WHERE id = ?1 AND removed_at IS NULL",
        params![id.0, now_utc()],
    )?;
    if changed == 0 {
        return Err(not_found(&id.to_string()));
    }
    tx.execute("DELETE FROM schedule WHERE connection_id = ?1", [id.0])?;
    tx.commit()?;
    Ok(())
}

pub fn list(sql: &Sql) -> Result<Vec<Connection>, Problem> {
    let mut statement = sql.prepare(&format!(
        "SELECT {COLUMNS} FROM connection WHERE removed_at IS NULL ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(sql: &Sql, id: ConnectionId) -> Result<Connection, Problem> {
    sql.query_row(
        &format!("SELECT {COLUMNS} FROM connection WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()?
    .ok_or_else(|| not_found(&id.to_string()))
}

/// A connection by name, or by id when `reference` is a number that is not also a name; only
/// connections that are not removed.
pub fn find(sql: &Sql, reference: &str) -> Result<Connection, Problem> {
    let by_name = sql
        .query_row(
            &format!("SELECT {COLUMNS} FROM connection WHERE name = ?1 AND removed_at IS NULL"),
            [reference.trim()],
            from_row,
        )
        .optional()?;
    if let Some(connection) = by_name {
        return Ok(connection);
    }
    match reference.trim().parse::<i64>() {
        Ok(id) => get(sql, ConnectionId(id))
            .ok()
            .filter(|c| c.removed_at.is_none())
            .ok_or_else(|| not_found(reference)),
        Err(_) => Err(not_found(reference)),
    }
}

pub fn not_found(reference: &str) -> Problem {
    Problem::new(
        Code::ConnectionNotFound,
        format!("There is no saved connection \"{reference}\"."),
        "Check the name or id (dbm connection list shows them).",
    )
}

fn name_taken_or(error: rusqlite::Error, name: &str) -> Problem {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &error {
        if failure.code == rusqlite::ErrorCode::ConstraintViolation
            && message.contains("connection.name")
        {
            return Problem::new(
                Code::ConnectionNameTaken,
                format!("A connection named \"{name}\" already exists."),
                "Choose another name, or edit the existing connection.",
            );
        }
    }
    error.into()
}
