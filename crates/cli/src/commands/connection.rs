//! `dbm connection …`: saved connections from the command line.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use dbm_engine::connections::{
    self, parse_uri, pgpass, Connection, ConnectionInput, Connections, PasswordChange,
};
use dbm_engine::library::connection_removal;
use dbm_engine::model::SslMode;
use dbm_engine::secrets::Secret;
use dbm_engine::store::Store;

use super::output::print_json;
use crate::args::{
    ConnectionAddArgs, ConnectionCommand, ConnectionFieldArgs, ConnectionRemoveArgs,
    ConnectionTestArgs, ConnectionUpdateArgs, JsonArg,
};

pub async fn run(data_dir: &Path, command: ConnectionCommand) -> anyhow::Result<ExitCode> {
    // ~/.pgpass is read without the app's database: it may not exist yet.
    if let ConnectionCommand::Pgpass(output) = &command {
        list_pgpass(output)?;
        return Ok(ExitCode::SUCCESS);
    }
    let store = Arc::new(Store::open_in(data_dir)?);
    match command {
        ConnectionCommand::Add(args) => add(&store, args)?,
        ConnectionCommand::List(output) => list(&store, &output)?,
        ConnectionCommand::Show(args) => {
            let connection = Connections::new(&store).find(&args.connection)?;
            print_connection(&connection, args.output.json, "")?;
        }
        ConnectionCommand::Test(args) => test(&store, args).await?,
        ConnectionCommand::Update(args) => update(&store, args)?,
        ConnectionCommand::Remove(args) => remove(&store, args)?,
        ConnectionCommand::Pgpass(output) => list_pgpass(&output)?,
        ConnectionCommand::Databases(args) => databases(&store, args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

fn list_pgpass(output: &JsonArg) -> anyhow::Result<()> {
    let entries = pgpass::entries();
    if output.json {
        print_json(&entries)?;
    } else if entries.is_empty() {
        println!("No entries in {}.", pgpass_location());
    } else {
        for e in &entries {
            println!(
                "{}:{}  database {}  user {}",
                e.host, e.port, e.database, e.username
            );
        }
    }
    Ok(())
}

fn add(store: &Store, args: ConnectionAddArgs) -> anyhow::Result<()> {
    let connections = Connections::new(store);
    let (mut input, mut password) = if args.uri_stdin {
        let parsed = parse_uri(&read_stdin_line("a postgres:// URI")?)?;
        (parsed.input, parsed.password)
    } else if let Some(uri) = &args.uri {
        let parsed = parse_uri(uri)?;
        if parsed.password.is_some() {
            bail!(
                "the URI contains a password, which other users can see in the process list: \
                 pass the URI on stdin with --uri-stdin instead"
            );
        }
        (parsed.input, None)
    } else {
        let empty = ConnectionInput {
            name: String::new(),
            host: String::new(),
            port: "5432".into(),
            database: String::new(),
            username: String::new(),
            sslmode: SslMode::Prefer,
            scope: Default::default(),
        };
        (empty, None)
    };
    apply_fields(&mut input, &args.fields)?;
    if args.password_stdin {
        password = Some(Secret::new(read_stdin_line("the password")?));
    }
    let connection = connections.create(&input, password.as_ref())?;
    print_connection(&connection, args.output.json, "Saved")?;
    Ok(())
}

fn list(store: &Store, output: &JsonArg) -> anyhow::Result<()> {
    let connections = Connections::new(store);
    let list = connections.list()?;
    if output.json {
        print_json(&list)?;
    } else if list.is_empty() {
        println!("No connections yet. Add one with: dbm connection add --name N --host H --database D --user U --password-stdin");
    } else {
        print_table(&list);
    }
    Ok(())
}

async fn test(store: &Arc<Store>, args: ConnectionTestArgs) -> anyhow::Result<()> {
    let connections = Connections::new(store);
    let connection = connections.find(&args.connection)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let version = connections::test_saved(store.clone(), connection.id, timeout).await?;
    if args.output.json {
        print_json(&version)?;
    } else {
        println!(
            "Connected to \"{}\" ({}:{}): PostgreSQL {} (major {})",
            connection.name, connection.host, connection.port, version.version, version.major
        );
    }
    Ok(())
}

fn update(store: &Store, args: ConnectionUpdateArgs) -> anyhow::Result<()> {
    let connections = Connections::new(store);
    let existing = connections.find(&args.connection)?;
    let mut input = ConnectionInput::from(&existing);
    apply_fields(&mut input, &args.fields)?;
    let password = if args.password_stdin {
        PasswordChange::Set(Secret::new(read_stdin_line("the password")?))
    } else if args.no_password {
        PasswordChange::Remove
    } else {
        PasswordChange::Keep
    };
    let connection = connections.update(existing.id, &input, password)?;
    print_connection(&connection, args.output.json, "Updated")?;
    Ok(())
}

fn remove(store: &Arc<Store>, args: ConnectionRemoveArgs) -> anyhow::Result<()> {
    let connections = Connections::new(store);
    let connection = connections.find(&args.connection)?;
    let removed = connection_removal::remove(store, connection.id, args.delete_backups)?;
    if args.output.json {
        print_json(&removed)?;
    } else {
        println!("Removed \"{}\" and its saved password.", connection.name);
        if removed.deleted_backups > 0 {
            println!("Deleted {}.", backups_text(removed.deleted_backups));
        }
        if removed.kept_backups > 0 {
            println!(
                "{} kept: listed by dbm backup list (--delete-backups deletes them).",
                backups_text(removed.kept_backups)
            );
        }
    }
    Ok(())
}

/// "1 backup", "3 backups".
fn backups_text(count: u64) -> String {
    if count == 1 {
        "1 backup".into()
    } else {
        format!("{count} backups")
    }
}

fn apply_fields(input: &mut ConnectionInput, fields: &ConnectionFieldArgs) -> anyhow::Result<()> {
    let set = |target: &mut String, value: &Option<String>| {
        if let Some(value) = value {
            *target = value.clone();
        }
    };
    set(&mut input.name, &fields.name);
    set(&mut input.host, &fields.host);
    set(&mut input.port, &fields.port);
    set(&mut input.database, &fields.database);
    set(&mut input.username, &fields.user);
    if let Some(mode) = &fields.sslmode {
        input.sslmode = mode.parse()?;
    }
    if fields.all_databases {
        input.scope.all_databases = true;
    }
    if fields.single_database {
        input.scope = Default::default();
    }
    if !fields.include.is_empty() {
        input.scope.include = fields.include.clone();
    }
    if !fields.exclude.is_empty() {
        input.scope.exclude = fields.exclude.clone();
    }
    Ok(())
}

/// `dbm connection databases X`: what a run of a whole-server connection would take now.
async fn databases(store: &Arc<Store>, args: ConnectionTestArgs) -> anyhow::Result<()> {
    let connection = Connections::new(store).find(&args.connection)?;
    if !connection.scope.all_databases {
        bail!(
            "\"{}\" backs up the one database {}: make it back up the whole server with \
             dbm connection update {} --all-databases",
            connection.name,
            connection.database,
            connection.id
        );
    }
    let timeout = Duration::from_secs(args.timeout.max(1));
    let choices = connections::databases(store.clone(), connection.id, timeout).await?;
    if args.output.json {
        print_json(&choices)?;
    } else {
        for choice in &choices {
            println!(
                "{:<6} {:<40} {:>10}  {}",
                if choice.taken { "take" } else { "leave" },
                choice.name,
                choice
                    .size_bytes
                    .map(|b| dbm_engine::units::human_bytes(b as f64))
                    .unwrap_or_default(),
                choice.reason.as_deref().unwrap_or("")
            );
        }
    }
    connections::databases::ensure_some(&choices)?;
    Ok(())
}

/// One line from stdin, without its line ending; the password never touches argv.
pub(crate) fn read_stdin_line(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("could not read {what} from stdin"))?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        bail!("stdin was empty: pipe {what} into dbm (e.g. printf '%s' \"$PW\" | dbm …)");
    }
    Ok(line)
}

fn pgpass_location() -> String {
    pgpass::pgpass_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "~/.pgpass".into())
}

fn print_connection(connection: &Connection, json: bool, verb: &str) -> anyhow::Result<()> {
    if json {
        return print_json(connection);
    }
    if !verb.is_empty() {
        println!("{verb} \"{}\" (id {}).", connection.name, connection.id);
    }
    let version = match (&connection.server_version, connection.major_version) {
        (Some(version), Some(major)) => format!("PostgreSQL {version} (major {major})"),
        _ => "not tested yet (dbm connection test NAME)".into(),
    };
    for (label, value) in [
        ("id", connection.id.to_string()),
        ("name", connection.name.clone()),
        ("host", connection.host.clone()),
        ("port", connection.port.to_string()),
        ("database", connection.database.clone()),
        ("scope", scope_text(&connection.scope)),
        ("user", connection.username.clone()),
        ("sslmode", connection.sslmode.to_string()),
        ("server", version),
        ("created", connection.created_at.clone()),
        ("updated", connection.updated_at.clone()),
    ] {
        println!("{label:<10}{value}");
    }
    Ok(())
}

fn scope_text(scope: &connections::Scope) -> String {
    if !scope.all_databases {
        return "this database".into();
    }
    let mut text = "all databases of the server (database above: the maintenance one)".to_string();
    if !scope.include.is_empty() {
        text.push_str(&format!("; include {}", scope.include.join(", ")));
    }
    if !scope.exclude.is_empty() {
        text.push_str(&format!("; exclude {}", scope.exclude.join(", ")));
    }
    text
}

fn print_table(list: &[Connection]) {
    let rows: Vec<[String; 6]> = list
        .iter()
        .map(|c| {
            [
                c.id.to_string(),
                c.name.clone(),
                format!("{}:{}", c.host, c.port),
                c.database.clone(),
                c.username.clone(),
                c.server_version.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "SERVER", "DATABASE", "USER", "VERSION"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count().min(40));
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}
