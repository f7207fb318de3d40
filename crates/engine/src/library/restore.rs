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
use crate::backups::{repository, Backup};
use crate::blocking::run_blocking;
use crate::connections::Connections;
use crate::dump::client_tool;
use crate::dump::invocation::Exit;
use crate::dump::runner::Runner;

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
    /// Of a server set: the database whose part is restored.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub part: Option<String>,
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
    let inputs = load(&store, request).await?;
    let prepared = preflight(&store, inputs, request, errors).await?;
    let tolerated = execute(&prepared, request, errors, on_line, cancel).await?;
    tracing::info!(backup = prepared.backup.id.0, database = %prepared.target.database, "backup restored");
    let outcome = RestoreOutcome {
        database: prepared.target.database.clone(),
        created: request.create,
        tool: prepared.runner.detail(),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((outcome, tolerated))
}

/// What the app's records say: the backup, the server to restore to, the engine settings.
struct Inputs {
    backup: Backup,
    file: PathBuf,
    server: pg::ConnectTarget,
    policy: settings::EnginePolicy,
    template: String,
}

/// A restore checked and ready: nothing on the server has changed yet.
struct Prepared {
    backup: Backup,
    /// A session on the server's own database, for CREATE and DROP DATABASE.
    admin: tokio_postgres::Client,
    /// The database restored into.
    target: pg::ConnectTarget,
    runner: Runner,
    tool: &'static str,
    args: Vec<String>,
    /// The folder the tool reads from (mounted into its container).
    folder: PathBuf,
    /// A decompressed copy of a plain `.sql.zst` backup, removed after the run.
    scratch: Option<PathBuf>,
}

async fn load(store: &Arc<Store>, request: &RestoreRequest) -> Result<Inputs, Problem> {
    let lookup = store.clone();
    let (backup_id, connection_id) = (request.backup_id, request.connection_id);
    let part = request.part.clone();
    let (backup, server, policy, template) = run_blocking(move || {
        let backup = repository::get(&lookup.connection(), backup_id)?;
        let backup = super::set_parts::one_database(backup, part.as_deref())?;
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
    Ok(Inputs {
        backup,
        file,
        server,
        policy,
        template,
    })
}

/// Everything is checked before the server changes: the request, the database (there or not
/// as asked, empty unless allowed), then the tools.
async fn preflight(
    store: &Store,
    inputs: Inputs,
    request: &RestoreRequest,
    errors: Errors,
) -> Result<Prepared, Problem> {
    let Inputs {
        backup,
        file,
        server,
        policy,
        template,
    } = inputs;
    let database = request
        .database
        .clone()
        .unwrap_or_else(|| server.database.clone());
    validate_database(&database)?;
    if backup.format == DumpFormat::Plain && request.clean {
        return Err(Problem::new(
            Code::InvalidClean,
            "A plain SQL backup cannot be restored with clean.",
            "Restore it into an empty or new database instead.",
        ));
    }
    let admin = pg::connect(&server).await?;
    let server_version = pg::detect_server_version(&admin).await?;
    check_database_state(&admin, &server, &database, request).await?;
    let target = pg::ConnectTarget {
        database: database.clone(),
        ..server
    };
    if !request.create {
        check_empty(&target, request).await?;
    }
    // Tools at least as new as the dump and the server.
    let major = dump_major(&backup)?.max(server_version.major);
    let runner = crate::dump::tools::restore_tools(store, policy, &template, major).await?;
    let (tool, args, scratch) = command_for(&backup, &file, &database, request, errors).await?;
    let folder = scratch
        .as_deref()
        .or(Some(file.as_path()))
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Ok(Prepared {
        backup,
        admin,
        target,
        runner,
        tool,
        args,
        folder,
        scratch,
    })
}

/// The database exists when restoring into it, and does not when the restore creates it.
async fn check_database_state(
    admin: &tokio_postgres::Client,
    server: &pg::ConnectTarget,
    database: &str,
    request: &RestoreRequest,
) -> Result<(), Problem> {
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&database])
        .await
        .map_err(|e| server_problem(&e))?
        .is_some();
    match (request.create, exists) {
        (true, true) => Err(Problem::new(
            Code::InvalidDatabase,
            format!("The database \"{database}\" already exists."),
            "Choose a new name, or restore into it without create.",
        )),
        (false, false) => Err(Problem::new(
            Code::InvalidDatabase,
            format!("There is no database \"{database}\" on {}.", server.host),
            "Create it with the create option, or choose an existing database.",
        )),
        _ => Ok(()),
    }
}

/// An existing database holds no tables, views or sequences, unless the user allowed it.
async fn check_empty(target: &pg::ConnectTarget, request: &RestoreRequest) -> Result<(), Problem> {
    let client = pg::connect(target).await?;
    let relations: i64 = client
        .query_one(USER_RELATIONS_SQL, &[])
        .await
        .map_err(|e| server_problem(&e))?
        .get(0);
    if relations > 0 && !request.allow_non_empty {
        return Err(Problem::new(
            Code::DatabaseNotEmpty,
            format!(
                "The database \"{}\" already holds {relations} tables, views or sequences.",
                target.database
            ),
            "Restore into a new database (create), or confirm restoring into this one (allow non-empty; clean drops what the backup recreates).",
        ));
    }
    Ok(())
}

/// Creates the database when asked, runs the tool, and judges how it ended; a database this
/// restore created is dropped when it failed. Answers the errors it tolerated.
async fn execute(
    prepared: &Prepared,
    request: &RestoreRequest,
    errors: Errors,
    on_line: &(dyn Fn(&str) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<Vec<String>, Problem> {
    let database = &prepared.target.database;
    if request.create {
        prepared
            .admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(database)))
            .await
            .map_err(|e| server_problem(&e))?;
    }
    on_line(&format!(
        "Restoring with {} into {database}…",
        prepared.runner.detail()
    ));
    let exit = client_tool::run(
        &prepared.runner,
        prepared.tool,
        &prepared.args,
        &prepared.target,
        &prepared.folder,
        on_line,
        cancel,
    )
    .await;
    if let Some(scratch) = &prepared.scratch {
        let _ = std::fs::remove_file(scratch);
    }
    let judged = judge(exit, prepared.tool, database, request, errors);
    if judged.is_err() && request.create {
        // A database this restore created holds a part of the backup at most: it goes.
        let dropped = prepared
            .admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {}",
                quote_ident(database)
            ))
            .await;
        if let Err(error) = dropped {
            tracing::warn!(%error, %database, "could not drop the database a failed restore created");
        }
    }
    judged
}

/// How the tool's run ended, as the restore's outcome: the errors tolerated, or what failed.
fn judge(
    exit: Result<Exit, Problem>,
    tool: &str,
    database: &str,
    request: &RestoreRequest,
    errors: Errors,
) -> Result<Vec<String>, Problem> {
    let exit = exit?;
    if exit.cancelled {
        return Err(Problem::new(
            Code::RestoreCancelled,
            format!("The restore into \"{database}\" was cancelled."),
            if request.create || request.single_transaction {
                "Nothing was kept."
            } else {
                "The database may be partly restored: restore again with clean, or into a new database."
            },
        ));
    }
    if errors == Errors::TolerateOutsideTables {
        return super::dump_scope::tolerated_errors(&exit.stderr).map_err(|first| {
            Problem::new(
                Code::RestoreFailed,
                format!("{tool} could not restore a table of the backup: {first}"),
                "The backup may be damaged, or need objects the database lacks.",
            )
        });
    }
    if exit.exit_code != 0 {
        let tail: Vec<&str> = exit.stderr.trim().lines().collect();
        return Err(Problem::new(
            Code::RestoreFailed,
            format!(
                "{tool} ended with code {}: {}",
                exit.exit_code,
                tail[tail.len().saturating_sub(6)..].join("\n")
            ),
            "Read the tool's messages above; no-owner helps when the backup's roles do not exist here.",
        ));
    }
    Ok(Vec::new())
}

/// The tool, its arguments, and a decompressed scratch copy to remove afterwards (plain .zst).
async fn command_for(
    backup: &Backup,
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
