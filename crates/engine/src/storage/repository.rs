//! The `location` table.

use rusqlite::{params, Connection as Sql, OptionalExtension, Row};

use super::model::{Location, LocationInput, LocationSettings};
use crate::model::{Code, LocationId, Problem};
use crate::time::now_utc;

const COLUMNS: &str = "id, name, settings, keep_last, keep_days, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Location> {
    let settings: String = row.get(2)?;
    let settings: LocationSettings = serde_json::from_str(&settings).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Location {
        id: LocationId(row.get(0)?),
        name: row.get(1)?,
        settings,
        keep_last: row.get(3)?,
        keep_days: row.get(4)?,
        created_at: row.get(5)?,
    })
}

fn settings_json(settings: &LocationSettings) -> Result<String, Problem> {
    serde_json::to_string(settings).map_err(|e| {
        Problem::new(
            Code::Internal,
            format!("The location's settings cannot be stored: {e}."),
            "Report this as a bug.",
        )
    })
}

pub fn insert(sql: &Sql, input: &LocationInput) -> Result<LocationId, Problem> {
    if find_by_name(sql, &input.name)?.is_some() {
        return Err(Problem::new(
            Code::InvalidStorageName,
            format!("A location named \"{}\" already exists.", input.name),
            "Choose another name, or remove the old location first.",
        ));
    }
    sql.execute(
        "INSERT INTO location (name, kind, settings, keep_last, keep_days, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            input.name,
            input.settings.kind(),
            settings_json(&input.settings)?,
            input.keep_last,
            input.keep_days,
            now_utc()
        ],
    )?;
    Ok(LocationId(sql.last_insert_rowid()))
}

pub fn set_retention(
    sql: &Sql,
    id: LocationId,
    keep_last: Option<u32>,
    keep_days: Option<u32>,
) -> Result<(), Problem> {
    sql.execute(
        "UPDATE location SET keep_last = ?2, keep_days = ?3 WHERE id = ?1",
        params![id.0, keep_last, keep_days],
    )?;
    Ok(())
}

pub fn list(sql: &Sql) -> Result<Vec<Location>, Problem> {
    let mut statement = sql.prepare(&format!("SELECT {COLUMNS} FROM location ORDER BY name"))?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn get(sql: &Sql, id: LocationId) -> Result<Location, Problem> {
    sql.query_row(
        &format!("SELECT {COLUMNS} FROM location WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()?
    .ok_or_else(|| not_found(&id.to_string()))
}

fn find_by_name(sql: &Sql, name: &str) -> Result<Option<Location>, Problem> {
    Ok(sql
        .query_row(
            &format!("SELECT {COLUMNS} FROM location WHERE name = ?1"),
            [name],
            from_row,
        )
        .optional()?)
}

/// By name, or by id.
pub fn find(sql: &Sql, reference: &str) -> Result<Location, Problem> {
    if let Some(found) = find_by_name(sql, reference.trim())? {
        return Ok(found);
    }
    match reference.trim().parse::<i64>() {
        Ok(id) => get(sql, LocationId(id)).map_err(|_| not_found(reference)),
        Err(_) => Err(not_found(reference)),
    }
}

pub fn delete(sql: &Sql, id: LocationId) -> Result<(), Problem> {
    sql.execute("DELETE FROM location WHERE id = ?1", [id.0])?;
    Ok(())
}

pub fn not_found(reference: &str) -> Problem {
    Problem::new(
        Code::StorageNotFound,
        format!("There is no storage location \"{reference}\"."),
        "Check the name (dbm storage list shows them).",
    )
}
