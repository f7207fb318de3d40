//! Restoring a whole server set into a server: the roles it lacks first (from the set's
//! globals; roles that exist are kept as they are unless forced, and the connecting user is
//! never altered), then each database, created anew. Every check is made before the server
//! changes: a server that already has one of the set's databases is refused unless forced
//! (which replaces those databases).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::restore::{self, RestoreOutcome, RestoreRequest};
use super::set_parts::{completed_parts, globals_file};
use super::tools::dump_major;
use crate::backups::{repository, BackupKind};
use crate::blocking::run_blocking;
use crate::connections::Connections;
use crate::dump::client_tool;
use crate::model::{BackupId, Code, ConnectionId, Problem};
use crate::pg::identifier::quote_ident;
use crate::pg::{self, DEFAULT_CONNECT_TIMEOUT};
use crate::settings;
use crate::store::Store;

/// Which set goes to which server, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetRestoreRequest {
    pub backup_id: BackupId,
    /// The connection whose server receives the set.
    pub connection_id: ConnectionId,
    /// Create the roles the server lacks from the set's globals.
    #[serde(default = "yes")]
    pub globals: bool,
    /// Replace databases the server already has, and bring existing roles in line with the
    /// set (never the connecting user).
    #[serde(default)]
    pub force: bool,
}

fn yes() -> bool {
    true
}

/// What a set's restore did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetRestoreOutcome {
    pub databases: Vec<RestoreOutcome>,
    pub roles_created: Vec<String>,
    /// Roles the server already had, left as they were.
    pub roles_kept: Vec<String>,
    /// Statements of the globals the server refused (a tablespace path it lacks, …).
    pub globals_warnings: Vec<String>,
    pub seconds: f64,
}

/// Restores the whole set; `on_line` hears the progress, a database at a time.
pub async fn restore_set(
    store: Arc<Store>,
    request: &SetRestoreRequest,
    on_line: &(dyn Fn(&str) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<SetRestoreOutcome, Problem> {
    let started = Instant::now();
    let lookup = store.clone();
    let (id, connection) = (request.backup_id, request.connection_id);
    let (set, server, policy, template) = run_blocking(move || {
        let set = repository::get(&lookup.connection(), id)?;
        let server = Connections::new(&lookup).target(connection, DEFAULT_CONNECT_TIMEOUT)?;
        Ok((
            set,
            server,
            settings::engine(&lookup)?,
            settings::image_template(&lookup)?,
        ))
    })
    .await?;
    if set.kind != BackupKind::Server {
        return Err(Problem::new(
            Code::InvalidDatabase,
            format!("Backup {id} is of one database, not a server set."),
            "Restore it into a database (without all).",
        ));
    }
    super::files::file_of(&set)?;
    let names = completed_parts(&set);
    if names.is_empty() {
        return Err(Problem::new(
            Code::BackupHasNoFile,
            format!("Set {id} holds no database that was dumped."),
            "Choose another set.",
        ));
    }
    let admin = pg::connect(&server).await?;
    let server_version = pg::detect_server_version(&admin).await?;
    let existing: Vec<String> = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname",
            &[&names],
        )
        .await
        .map_err(|e| refused(&e))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if !existing.is_empty() && !request.force {
        return Err(Problem::new(
            Code::DatabaseNotEmpty,
            format!(
                "The server already has {} of the set's databases: {}.",
                existing.len(),
                existing.join(", ")
            ),
            "Nothing was changed. Restore into another server, or force to replace them.",
        ));
    }
    let major = dump_major(&set)?.max(server_version.major);
    let runner = crate::dump::tools::restore_tools(&store, policy, &template, major).await?;

    let mut outcome = SetRestoreOutcome {
        databases: Vec::new(),
        roles_created: Vec::new(),
        roles_kept: Vec::new(),
        globals_warnings: Vec::new(),
        seconds: 0.0,
    };
    if let (true, Some(globals)) = (request.globals, globals_file(&set)) {
        on_line("Creating the roles the server lacks…");
        let roles: HashSet<String> = admin
            .query("SELECT rolname FROM pg_roles", &[])
            .await
            .map_err(|e| refused(&e))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let text = tokio::fs::read_to_string(&globals).await.map_err(|error| {
            Problem::new(
                Code::BackupUnreadable,
                format!("The set's globals cannot be read: {error}."),
                "Restore without the globals, or choose another set.",
            )
        })?;
        let filtered =
            super::globals_filter::filter(&text, &roles, &server.username, request.force);
        outcome.roles_created = filtered.created.clone();
        outcome.roles_kept = filtered.kept.clone();
        outcome.globals_warnings =
            run_globals(&runner, &server, &filtered.sql, on_line, cancel).await?;
    }
    for name in names {
        if cancel.is_cancelled() {
            return Err(Problem::new(
                Code::RestoreCancelled,
                "The set's restore was cancelled.",
                "The databases restored so far stay; restore again with force to redo them.",
            ));
        }
        if existing.contains(&name) {
            on_line(&format!("Replacing the database {name}…"));
            admin
                .batch_execute(&format!(
                    "DROP DATABASE {} WITH (FORCE)",
                    quote_ident(&name)
                ))
                .await
                .map_err(|e| refused(&e))?;
        }
        on_line(&format!("Restoring the database {name}…"));
        let one = RestoreRequest {
            backup_id: set.id,
            connection_id: request.connection_id,
            database: Some(name.clone()),
            create: true,
            clean: false,
            no_owner: false,
            single_transaction: false,
            allow_non_empty: false,
            part: Some(name.clone()),
        };
        outcome
            .databases
            .push(restore::restore(store.clone(), &one, on_line, cancel).await?);
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        backup = set.id.0,
        databases = outcome.databases.len(),
        roles = outcome.roles_created.len(),
        "server set restored"
    );
    Ok(outcome)
}

/// Runs the filtered globals with psql on the server's maintenance database; a statement the
/// server refuses does not stop the others (a tablespace's folder may not exist here), and is
/// answered as a warning.
async fn run_globals(
    runner: &crate::dump::runner::Runner,
    server: &pg::ConnectTarget,
    sql: &str,
    on_line: &(dyn Fn(&str) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<Vec<String>, Problem> {
    // The role passwords' hashes: a private folder, removed when done.
    let scratch = tempfile::Builder::new()
        .prefix("dbm-globals-")
        .tempdir()
        .map_err(|error| {
            Problem::new(
                Code::RestoreFailed,
                format!("A scratch folder for the globals could not be made: {error}."),
                "Check the temporary folder's free space and permissions.",
            )
        })?;
    let file = scratch.path().join("globals.sql");
    let written = crate::dump::sink::create_private_file(&file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, sql.as_bytes()));
    written.map_err(|error| {
        Problem::new(
            Code::RestoreFailed,
            format!("The globals could not be written for psql: {error}."),
            "Check the temporary folder's free space.",
        )
    })?;
    let args = vec![
        "--no-password".to_string(),
        "--quiet".to_string(),
        "--set=ON_ERROR_STOP=0".to_string(),
        format!("--file={}", file.display()),
    ];
    let exit = client_tool::run(
        runner,
        "psql",
        &args,
        server,
        scratch.path(),
        on_line,
        cancel,
    )
    .await?;
    if exit.exit_code != 0 {
        return Err(Problem::new(
            Code::RestoreFailed,
            format!(
                "psql could not run the set's globals (exit {}): {}",
                exit.exit_code,
                exit.stderr.trim()
            ),
            "Restore without the globals, or check the connection's user (it must be allowed to create roles).",
        ));
    }
    Ok(exit
        .stderr
        .lines()
        .filter(|l| l.contains("ERROR"))
        .map(str::to_string)
        .collect())
}

fn refused(error: &tokio_postgres::Error) -> Problem {
    Problem::new(
        Code::RestoreFailed,
        format!(
            "The server refused: {}.",
            error
                .as_db_error()
                .map_or_else(|| error.to_string(), |e| e.message().to_string())
        ),
        "Check that the connection's user may create databases and roles.",
    )
}
