//! The command line, parsed at the edge.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "dbm",
    version,
    about = "DB Backup Manager: PostgreSQL backups with the server's own pg_dump"
)]
pub struct Cli {
    /// The folder that holds the app's state (default: the platform's data dir).
    #[arg(long, global = true, env = dbm_engine::paths::DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The data dir chosen on the command line, in the environment, or the platform default.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) if !dir.as_os_str().is_empty() => Ok(dir.clone()),
            _ => dbm_engine::paths::default_data_dir().ok_or_else(|| {
                anyhow::anyhow!("no home folder to keep the app's data in: pass --data-dir DIR or set DBM_DATA_DIR")
            }),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check what backups depend on: the app's database, Docker and its postgres images,
    /// the keyring, local pg_dump binaries. Exits non-zero when something needs fixing.
    Doctor(DoctorArgs),
    /// Saved PostgreSQL connections (passwords are kept in the OS keyring).
    #[command(subcommand)]
    Connection(ConnectionCommand),
    /// Run and list backups.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Schedules (so far: previewing a cron pattern).
    #[command(subcommand)]
    Schedule(ScheduleCommand),
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Show the next runs of a cron pattern in a time zone, and in plain words.
    Preview(SchedulePreviewArgs),
}

#[derive(Debug, Args)]
pub struct SchedulePreviewArgs {
    /// 5 fields (minute hour day month weekday), 6 with seconds first, or @hourly/@daily/@weekly/@monthly.
    pub pattern: String,
    /// IANA time zone (default: UTC).
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// Start after this instant (RFC 3339, e.g. 2026-03-28T00:00:00Z; default: now).
    #[arg(long)]
    pub from: Option<String>,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Back up a connection now, with pg_dump of the server's major version.
    Run(BackupRunArgs),
    /// List backups, newest first.
    List(BackupListArgs),
    /// Show everything recorded about a backup.
    Show(BackupShowArgs),
}

#[derive(Debug, Args)]
pub struct BackupRunArgs {
    /// The connection's name or id.
    pub connection: String,
    /// custom (default), plain, tar or directory.
    #[arg(long, default_value = "custom")]
    pub format: String,
    /// auto (default: zstd where pg_dump has it), none, gzip[:N], zstd[:N], lz4[:N].
    #[arg(long = "compress", default_value = "auto")]
    pub compression: String,
    /// auto, docker or local (default: the engine setting).
    #[arg(long)]
    pub engine: Option<String>,
    #[arg(long)]
    pub schema_only: bool,
    #[arg(long)]
    pub data_only: bool,
    /// Only these schemas (pg_dump patterns; repeatable).
    #[arg(long = "schema")]
    pub schemas: Vec<String>,
    #[arg(long = "exclude-schema")]
    pub exclude_schemas: Vec<String>,
    /// Only these tables (pg_dump patterns; repeatable).
    #[arg(long = "table")]
    pub tables: Vec<String>,
    #[arg(long = "exclude-table")]
    pub exclude_tables: Vec<String>,
    /// Parallel jobs (directory format).
    #[arg(long)]
    pub jobs: Option<u32>,
    /// Print no progress line.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct BackupListArgs {
    /// Only this connection's backups (name or id).
    #[arg(long)]
    pub connection: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct BackupShowArgs {
    pub id: i64,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCommand {
    /// Save a connection. Give the fields, or a URI (with --uri, or on stdin with --uri-stdin).
    Add(ConnectionAddArgs),
    /// List saved connections.
    List(JsonArg),
    /// Show one connection (by name or id).
    Show(ConnectionRefArgs),
    /// Connect, detect the server's version and store it.
    Test(ConnectionTestArgs),
    /// Change a connection's fields or password; the password is kept unless told otherwise.
    Update(ConnectionUpdateArgs),
    /// Delete a connection and its keyring entry.
    Remove(ConnectionRefArgs),
    /// List the entries of ~/.pgpass (PGPASSFILE), without their passwords.
    Pgpass(JsonArg),
}

#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ConnectionRefArgs {
    /// The connection's name or id.
    pub connection: String,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct ConnectionTestArgs {
    /// The connection's name or id.
    pub connection: String,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct ConnectionFieldArgs {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub host: Option<String>,
    /// Taken as text so that a wrong value gets the engine's clear message.
    #[arg(long)]
    pub port: Option<String>,
    #[arg(long)]
    pub database: Option<String>,
    #[arg(long, alias = "username")]
    pub user: Option<String>,
    /// disable | prefer | require | verify-ca | verify-full
    #[arg(long)]
    pub sslmode: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConnectionAddArgs {
    #[command(flatten)]
    pub fields: ConnectionFieldArgs,
    /// Read the password from the first line of stdin (never give it as an argument).
    #[arg(long, conflicts_with = "uri_stdin")]
    pub password_stdin: bool,
    /// Take the fields from a postgres:// URI without a password (flags override its parts).
    #[arg(long, conflicts_with = "uri_stdin")]
    pub uri: Option<String>,
    /// Read a postgres:// URI, password included, from stdin.
    #[arg(long)]
    pub uri_stdin: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct ConnectionUpdateArgs {
    /// The connection's name or id.
    pub connection: String,
    #[command(flatten)]
    pub fields: ConnectionFieldArgs,
    /// Read a new password from the first line of stdin.
    #[arg(long, conflicts_with = "no_password")]
    pub password_stdin: bool,
    /// Remove the saved password.
    #[arg(long)]
    pub no_password: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}
