//! Restoring a backup into a saved connection's database, or a new database on its server,
//! with pg_restore (archives) or psql (plain) of a major at least the dump's. Only the target
//! database is touched; a non-empty one is refused unless asked.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::tools::dump_major;
use crate::backups::repository;
use crate::blocking::run_blocking;
use crate::connections::Connections;
use crate::dump::client_tool;

use crate::model::{BackupId, Code, ConnectionId, DumpFormat, Problem};
use crate::pg::identifier::quote_ident;
use crate::pg::{self, DEFAULT_CONNECT_TIMEOUT};
use crate::settings;
use crate::store::Store;

/// What to restore where, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreRequest {
    pub backup_id: BackupId,
    /// The connection whose server (and credentials) receive the restore.
    pub connection_id: ConnectionId,
    /// The database to restore into (default: the connection's own).
    #[serde(default)]
    pub database: Option<String>,
    /// Create the database first; it must not exist.
    #[serde(default)]
    pub create: bool,
    /// Drop each object before recreating it (`--clean --if-exists`; archives only).
    #[serde(default)]
    pub clean: bool,
    /// Do not restore ownership (objects belong to the connecting user).
    #[serde(default)]
    pub no_owner: bool,
    /// All or nothing: one transaction.
    #[serde(default)]
    pub single_transaction: bool,
    /// Restore into a database that already holds tables.
    #[serde(default)]
    pub allow_non_empty: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOutcome {
    pub database: String,
    pub created: bool,
    /// The image or binary that restored.
    pub tool: String,
    pub seconds: f64,
}

const USER_RELATIONS_SQL: &str = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'";

fn validate_database(name: &str) -> Result<(), Problem> {
    if name.trim().is_empty() || name.len() > 63 || name.contains('\0') {
        return Err(Problem::new(
            Code::InvalidDatabase,
            format!(
                "\"{}\" cannot be a database name.",
                crate::model::excerpt(name)
            ),
            "Use 1 to 63 bytes.",
        ));
    }
    Ok(())
}

/// Restores; `on_line` receives the tool's progress lines.
pub async fn restore(
    store: Arc<Store>,
    request: &RestoreRequest,
    on_line: &(dyn Fn(&str) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<RestoreOutcome, Problem> {
    restore_with(store, request, Errors::Stop, on_line, cancel)
        .await
        .map(|(outcome, _)| outcome)
}

/// Whether a tool's error ends the restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Errors {
    /// The first error stops it (a user's restore).
    Stop,
    /// Errors about objects outside the tables go on and are returned (verifying a partial
    /// dump, which may lack the functions or types its tables' triggers and defaults need).
    TolerateOutsideTables,
}

/// `restore`, answering also the errors it tolerated.
pub(super) async fn restore_with(
    store: Arc<Store>,
    request: &RestoreRequest,
    errors: Errors,
    on_line: &(dyn Fn(&str) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<(RestoreOutcome, Vec<String>), Problem> {
    let started = Instant::now();
    let lookup = store.clone();
    let (backup_id, connection_id) = (request.backup_id, request.connection_id);
    let (backup, server, policy, template) = run_blocking(move || {
        let backup = repository::get(&lookup.connection(), backup_id)?;
        let server = Connections::new(&lookup).target(connection_id, DEFAULT_CONNECT_TIMEOUT)?;
        Ok((
            backup,
            server,
            settings::engine(&lookup)?,
            settings::image_template(&lookup)?,
        ))
    })
    .await?;
    let file = super::files::file_of(&backup)?;
    let database = request
        .database
        .clone()
        .unwrap_or_else(|| server.database.clone());
    validate_database(&database)?;
    let plain = backup.format == DumpFormat::Plain;
    if plain && request.clean {
        return Err(Problem::new(
            Code::InvalidClean,
            "A plain SQL backup cannot be restored with clean.",
            "Restore it into an empty or new database instead.",
        ));
    }

    // Everything is checked before the server changes: the database, then the tools.
    let admin = pg::connect(&server).await?;
    let server_version = pg::detect_server_version(&admin).await?;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&database])
        .await
        .map_err(|e| server_problem(&e))?
        .is_some();
    match (request.create, exists) {
        (true, true) => {
            return Err(Problem::new(
                Code::InvalidDatabase,
                format!("The database \"{database}\" already exists."),
                "Choose a new name, or restore into it without create.",
            ))
        }
        (false, false) => {
            return Err(Problem::new(
                Code::InvalidDatabase,
                format!("There is no database \"{database}\" on {}.", server.host),
                "Create it with the create option, or choose an existing database.",
            ))
        }
        _ => {}
    }
    let target = pg::ConnectTarget {
        database: database.clone(),
        ..server.clone()
    };
    if !request.create {
        let client = pg::connect(&target).await?;
        let relations: i64 = client
            .query_one(USER_RELATIONS_SQL, &[])
            .await
            .map_err(|e| server_problem(&e))?
            .get(0);
        if relations > 0 && !request.allow_non_empty {
            return Err(Problem::new(
                Code::DatabaseNotEmpty,
                format!("The database \"{database}\" already holds {relations} tables, views or sequences."),
                "Restore into a new database (create), or confirm restoring into this one (allow non-empty; clean drops what the backup recreates).",
            ));
        }
    }
    // Tools at least as new as the dump and the server.
    let major = dump_major(&backup)?.max(server_version.major);
    let runner = crate::dump::tools::restore_tools(&store, policy, &template, major).await?;
    let (tool, args, scratch) = command_for(&backup, &file, &database, request, errors).await?;

    if request.create {
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&database)))
            .await
            .map_err(|e| server_problem(&e))?;
    }
    let folder = scratch
        .as_deref()
        .or(Some(file.as_path()))
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    on_line(&format!(
        "Restoring with {} into {database}…",
        runner.detail()
    ));
    let exit = client_tool::run(&runner, tool, &args, &target, &folder, on_line, cancel).await;
    if let Some(scratch) = &scratch {
        let _ = std::fs::remove_file(scratch);
    }
    let mut tolerated = Vec::new();
    let failure = match exit {
        Err(problem) => Some(problem),
        Ok(exit) if exit.cancelled => Some(Problem::new(
            Code::RestoreCancelled,
            format!("The restore into \"{database}\" was cancelled."),
            if request.create || request.single_transaction {
                "Nothing was kept."
            } else {
                "The database may be partly restored: restore again with clean, or into a new database."
            },
        )),
        Ok(exit) if errors == Errors::TolerateOutsideTables => {
            match super::dump_scope::tolerated_errors(&exit.stderr) {
                Ok(found) => {
                    tolerated = found;
                    None
                }
                Err(first) => Some(Problem::new(
                    Code::RestoreFailed,
                    format!("{tool} could not restore a table of the backup: {first}"),
                    "The backup may be damaged, or need objects the database lacks.",
                )),
            }
        }
        Ok(exit) if exit.exit_code != 0 => {
            let tail: Vec<&str> = exit.stderr.trim().lines().collect();
            Some(Problem::new(
                Code::RestoreFailed,
                format!(
                    "{tool} ended with code {}: {}",
                    exit.exit_code,
                    tail[tail.len().saturating_sub(6)..].join("\n")
                ),
                "Read the tool's messages above; no-owner helps when the backup's roles do not exist here.",
            ))
        }
        Ok(_) => None,
    };
    if let Some(problem) = failure {
        // A database this restore created holds a part of the backup at most: it goes.
        if request.create {
            let dropped = admin
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {}",
                    quote_ident(&database)
                ))
                .await;
            if let Err(error) = dropped {
                tracing::warn!(%error, %database, "could not drop the database a failed restore created");
            }
        }
        return Err(problem);
    }
    tracing::info!(backup = backup.id.0, %database, "backup restored");
    let outcome = RestoreOutcome {
        database,
        created: request.create,
        tool: runner.detail(),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((outcome, tolerated))
}

/// The tool, its arguments, and a decompressed scratch copy to remove afterwards (plain .zst).
async fn command_for(
    backup: &crate::backups::Backup,
    file: &Path,
    database: &str,
    request: &RestoreRequest,
    errors: Errors,
) -> Result<(&'static str, Vec<String>, Option<PathBuf>), Problem> {
    let stop = errors == Errors::Stop;
    if backup.format == DumpFormat::Plain {
        let (source, scratch) = crate::dump::tools::plain_sql(file, "restore.sql").await?;
        let mut args: Vec<String> = vec!["--no-password".into(), "--quiet".into()];
        if stop {
            args.push("--set=ON_ERROR_STOP=1".into());
        }
        args.push(format!("--file={}", source.display()));
        if request.single_transaction {
            args.push("--single-transaction".into());
        }
        return Ok(("psql", args, scratch));
    }
    // Without --dbname pg_restore prints a script instead of restoring. The name goes quoted
    // in a connection string: bare, libpq would read `a=b` or `postgres://…` as one.
    let mut args: Vec<String> = vec!["--no-password".into(), "--verbose".into()];
    if stop {
        args.push("--exit-on-error".into());
    }
    args.push(format!(
        "--dbname={}",
        crate::pg::conninfo::dbname_conninfo(database)
    ));
    if request.clean {
        args.push("--clean".into());
        args.push("--if-exists".into());
    }
    if request.no_owner {
        args.push("--no-owner".into());
        args.push("--no-privileges".into());
    }
    if request.single_transaction {
        args.push("--single-transaction".into());
    }
    args.push(file.display().to_string());
    Ok(("pg_restore", args, None))
}

fn server_problem(error: &tokio_postgres::Error) -> Problem {
    Problem::new(
        Code::RestoreFailed,
        format!(
            "The server refused: {}.",
            error
                .as_db_error()
                .map_or_else(|| error.to_string(), |e| e.message().to_string())
        ),
        "Check that the connection's user may create databases and write to this one.",
    )
}
