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

// Parsed once per run: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
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
    /// Backup schedules: cron patterns in a time zone.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Restore a backup into a connection's database, or a new database on its server.
    Restore(RestoreArgs),
    /// Backup statistics: counts, storage, success rates, per connection.
    Stats(JsonArg),
    /// Whether each scheduled connection has a recent good backup; exits 1 when one is overdue,
    /// not proven, or a copy to a storage location failed.
    Status(JsonArg),
    /// Run the schedules, headless, until stopped (SIGTERM or Ctrl-C). One scheduler runs per
    /// data folder: not beside the app or another daemon.
    Daemon(DaemonArgs),
    /// Storage locations backups are copied to: folders, S3-compatible buckets, SFTP servers.
    #[command(subcommand)]
    Storage(StorageCommand),
    /// The encryption key copies are encrypted with (age X25519, kept in the keyring).
    #[command(subcommand)]
    Key(KeyCommand),
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Add a location: --folder PATH, --s3 … or --sftp ….
    Add(StorageAddArgs),
    /// List the locations.
    List(JsonArg),
    /// Show a location and the copies in it.
    Show(StorageRefArgs),
    /// Write, read back and delete a small object; say which step failed and why.
    Test(StorageRefArgs),
    /// Forget a location (the objects in it stay).
    Remove(StorageRefArgs),
    /// Set how many backups stay in a location, and for how long.
    Retention(StorageRetentionArgs),
    /// List the backups found in a location (this installation's and others'); --import adds
    /// those this library does not have, to restore them here.
    Scan(StorageScanArgs),
}

#[derive(Debug, Args)]
pub struct StorageAddArgs {
    pub name: String,
    /// A folder on this computer (a NAS mount, a USB disk).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["s3", "sftp"])]
    pub folder: Option<std::path::PathBuf>,
    /// An S3-compatible bucket (AWS, Backblaze B2, Cloudflare R2, MinIO, Wasabi).
    #[arg(long, requires_all = ["endpoint", "bucket", "access_key_id"], conflicts_with = "sftp")]
    pub s3: bool,
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    #[arg(long)]
    pub bucket: Option<String>,
    #[arg(long, default_value = "")]
    pub prefix: String,
    #[arg(long, default_value = "")]
    pub region: String,
    /// Address the bucket as ENDPOINT/BUCKET (MinIO and most self-hosted servers) instead of
    /// BUCKET.ENDPOINT.
    #[arg(long)]
    pub path_style: bool,
    #[arg(long, value_name = "ID")]
    pub access_key_id: Option<String>,
    /// Read the S3 secret access key from stdin (it goes to the keyring).
    #[arg(long)]
    pub secret_stdin: bool,
    /// An SFTP server; its host key must be in ~/.ssh/known_hosts.
    #[arg(long, requires_all = ["host", "user"])]
    pub sftp: bool,
    #[arg(long)]
    pub host: Option<String>,
    #[arg(long, default_value_t = 22)]
    pub port: u16,
    #[arg(long)]
    pub user: Option<String>,
    /// The private key file (default: ssh's own keys and agent).
    #[arg(long, value_name = "FILE")]
    pub key: Option<std::path::PathBuf>,
    /// Passwords are not supported for SFTP: ssh runs non-interactively. Use a key.
    #[arg(long, hide = true)]
    pub password_stdin: bool,
    /// The folder on the server (default: the user's home).
    #[arg(long, default_value = "")]
    pub path: String,
    /// Keep this many of each schedule's backups here (default: all).
    #[arg(long)]
    pub keep_last: Option<u32>,
    /// Keep backups here this many days (default: no limit).
    #[arg(long)]
    pub keep_days: Option<u32>,
    /// Add it even when the test fails.
    #[arg(long)]
    pub no_test: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct StorageRefArgs {
    /// The location's name or id.
    pub location: String,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct StorageRetentionArgs {
    pub location: String,
    /// `none` for no count limit.
    #[arg(long)]
    pub keep_last: Option<String>,
    /// `none` for no age limit.
    #[arg(long)]
    pub keep_days: Option<String>,
    /// Delete what the rule lets go now (this installation's copies only).
    #[arg(long)]
    pub apply: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct StorageScanArgs {
    pub location: String,
    /// Add the backups found that this library lacks, under a connection of the same name
    /// (one is recorded, removed, when there is none).
    #[arg(long)]
    pub import: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Show this installation's public key, extra recipients and whether the key was exported.
    Show(JsonArg),
    /// Print the identity (a key file for `age -d -i`). Keep it safe and away from this
    /// computer: without it, encrypted copies cannot be read elsewhere.
    Export(KeyExportArgs),
    /// Replace this installation's identity with one exported elsewhere (read from stdin).
    Import(JsonArg),
    /// Set the extra public keys copies are also encrypted to (none: only this installation).
    Recipients(KeyRecipientsArgs),
}

#[derive(Debug, Args)]
pub struct KeyExportArgs {
    /// Write it to this file (created, mode 0600) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeyRecipientsArgs {
    /// age1… public keys.
    pub keys: Vec<String>,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Save a schedule for a connection.
    Add(ScheduleAddArgs),
    /// List schedules with their next and last runs.
    List(JsonArg),
    /// Show a schedule, its next runs and its missed runs.
    Show(ScheduleRefArgs),
    /// Change a schedule's fields (the others stay).
    Update(ScheduleUpdateArgs),
    /// Stop a schedule from firing until resumed.
    Pause(ScheduleRefArgs),
    /// Let a paused schedule fire again, from now on.
    Resume(ScheduleRefArgs),
    /// Delete a schedule (its backups stay).
    Remove(ScheduleRefArgs),
    /// Back up now with the schedule's options, and wait for the result.
    Run(ScheduleRunArgs),
    /// Apply the schedule's retention now (--dry-run: list what would be deleted).
    Prune(SchedulePruneArgs),
    /// Show the next runs of a cron pattern in a time zone, and in plain words.
    Preview(SchedulePreviewArgs),
}

#[derive(Debug, Args)]
pub struct ScheduleFieldArgs {
    /// Copy each backup to this storage location (repeatable; `none` clears the list).
    #[arg(long = "copy-to", value_name = "LOCATION")]
    pub copy_to: Vec<String>,
    /// Encrypt the copies with age (yes/no).
    #[arg(long, value_name = "yes|no")]
    pub encrypt: Option<String>,
    /// Keep the local file once the backup is copied everywhere (yes/no; default yes).
    #[arg(long, value_name = "yes|no")]
    pub keep_local: Option<String>,
    /// The schedule's name (default: "<connection> <pattern>").
    #[arg(long)]
    pub name: Option<String>,
    /// 5 fields (minute hour day month weekday), 6 with seconds first, or @hourly/@daily/@weekly/@monthly.
    #[arg(long)]
    pub cron: Option<String>,
    /// IANA time zone the pattern is read in (default on add: this machine's zone).
    #[arg(long)]
    pub tz: Option<String>,
    /// custom, plain, tar or directory.
    #[arg(long)]
    pub format: Option<String>,
    /// auto, none, gzip[:N], zstd[:N], lz4[:N].
    #[arg(long = "compress", alias = "compression")]
    pub compression: Option<String>,
    /// Keep the last N backups of this schedule ("none": keep all).
    #[arg(long, value_name = "N")]
    pub keep_last: Option<String>,
    /// Keep backups for D days ("none": keep all).
    #[arg(long, value_name = "D")]
    pub keep_days: Option<String>,
    /// Alert (tray, Dashboard, notification, `dbm status`) when the connection has had no good
    /// backup for this long: 90m, 26h, 3d; "none" for twice the schedule's interval (default).
    #[arg(long)]
    pub alert_after: Option<String>,
    /// Prove the newest backup by restoring it into a throwaway container this often: 1d, 7d
    /// (default on add: 7d); "none" never.
    #[arg(long, value_name = "DURATION")]
    pub verify_every: Option<String>,
    /// End a run that writes nothing for this long: 90s, 20m ("none": the setting, 10 minutes).
    #[arg(long, value_name = "DURATION")]
    pub stall_after: Option<String>,
    /// End a run that has taken this long: 2h ("none": no limit).
    #[arg(long, value_name = "DURATION")]
    pub time_limit: Option<String>,
    /// URL POSTed after each run, {status} replaced by success or failure ("none": remove).
    #[arg(long, value_name = "URL")]
    pub ping_url: Option<String>,
    /// URL POSTed after each completed run ("none": remove).
    #[arg(long, value_name = "URL")]
    pub on_success_url: Option<String>,
    /// URL POSTed after each failed run ("none": remove).
    #[arg(long, value_name = "URL")]
    pub on_failure_url: Option<String>,
    /// Shell command run after each run with the run's JSON on stdin ("none": remove).
    #[arg(long, value_name = "COMMAND")]
    pub on_finish_cmd: Option<String>,
    /// How long each hook may take: 10s (default), 1m.
    #[arg(long, value_name = "DURATION")]
    pub hook_timeout: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScheduleAddArgs {
    /// The connection's name or id.
    #[arg(long)]
    pub connection: String,
    #[command(flatten)]
    pub fields: ScheduleFieldArgs,
    /// Save it paused.
    #[arg(long)]
    pub paused: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct ScheduleUpdateArgs {
    /// The schedule's name or id.
    pub schedule: String,
    /// Move it to another connection (name or id).
    #[arg(long)]
    pub connection: Option<String>,
    #[command(flatten)]
    pub fields: ScheduleFieldArgs,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct ScheduleRefArgs {
    /// The schedule's name or id.
    pub schedule: String,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct ScheduleRunArgs {
    /// The schedule's name or id.
    pub schedule: String,
    /// Print no progress line.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct SchedulePruneArgs {
    /// The schedule's name or id.
    pub schedule: String,
    /// Only list what would be deleted.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct DaemonArgs {}

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
    /// Save a copy of a backup elsewhere; the copy's SHA-256 is checked against the record.
    Export(BackupExportArgs),
    /// Delete a backup's file and its record.
    Delete(BackupShowArgs),
    /// Check a backup: file, size, SHA-256, pg_restore --list; with --restore, restore it into a
    /// throwaway PostgreSQL in Docker and compare row counts with the source.
    Verify(BackupVerifyArgs),
    /// Find backup files removed or changed outside the app.
    Scan(BackupScanArgs),
    /// Copy a backup to a storage location (streamed, SHA-256 checked; --encrypt with age).
    Copy(BackupCopyArgs),
    /// Bring a backup's file back from a storage location (after its local file was removed).
    Fetch(BackupFetchArgs),
}

#[derive(Debug, Args)]
pub struct BackupCopyArgs {
    pub id: i64,
    /// The location's name or id.
    pub location: String,
    /// Encrypt the copy with age to this installation's key (and the extra recipients).
    #[arg(long)]
    pub encrypt: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct BackupFetchArgs {
    pub id: i64,
    pub location: String,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct BackupExportArgs {
    pub id: i64,
    /// A file path, or a folder to copy into.
    pub destination: std::path::PathBuf,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct BackupVerifyArgs {
    pub id: i64,
    /// Also restore it into a throwaway PostgreSQL in Docker and compare per-table row counts.
    #[arg(long)]
    pub restore: bool,
    /// Restore it into a scratch database on this connection's server instead (created, then
    /// dropped; for machines without Docker).
    #[arg(long, value_name = "CONNECTION")]
    pub restore_on: Option<String>,
    /// Check the copy in this storage location instead: download it and rehash every object.
    #[arg(long, value_name = "LOCATION", conflicts_with_all = ["restore", "restore_on", "from"])]
    pub location: Option<String>,
    /// When the local file is gone, fetch it from this location first.
    #[arg(long, value_name = "LOCATION")]
    pub from: Option<String>,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct BackupScanArgs {
    /// Also compare each file's SHA-256 (reads every byte).
    #[arg(long)]
    pub hash: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup's id.
    pub id: i64,
    /// The connection whose server receives the restore (name or id).
    #[arg(long)]
    pub to: String,
    /// The database to restore into (default: the connection's).
    #[arg(long)]
    pub database: Option<String>,
    /// Create the database first (it must not exist).
    #[arg(long)]
    pub create: bool,
    /// Drop each object before recreating it (archives only).
    #[arg(long)]
    pub clean: bool,
    /// Skip ownership and privileges (roles of the source may not exist here).
    #[arg(long)]
    pub no_owner: bool,
    /// All or nothing, in one transaction.
    #[arg(long)]
    pub single_transaction: bool,
    /// Restore into a database that already holds tables; with --all, replace the server's
    /// databases of the same names and bring existing roles in line with the set.
    #[arg(long)]
    pub force: bool,
    /// Of a server set: restore the whole set (roles the server lacks, then every database).
    #[arg(long, conflicts_with_all = ["part", "database", "create", "clean", "single_transaction"])]
    pub all: bool,
    /// With --all: leave the roles out.
    #[arg(long, requires = "all")]
    pub no_globals: bool,
    /// Of a server set: restore this one database of it (--database NAME --create for a new one).
    #[arg(long, value_name = "DATABASE")]
    pub part: Option<String>,
    /// When the local file is gone, fetch it from this storage location first.
    #[arg(long, value_name = "LOCATION")]
    pub from: Option<String>,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct BackupRunArgs {
    /// The connection's name or id.
    pub connection: String,
    /// custom (default), plain, tar or directory.
    #[arg(long, default_value = "custom")]
    pub format: String,
    /// auto (default: zstd where pg_dump has it), none, gzip[:N], zstd[:N], lz4[:N].
    #[arg(long = "compress", alias = "compression", default_value = "auto")]
    pub compression: String,
    /// auto, docker or local (default: the engine setting).
    #[arg(long)]
    pub engine: Option<String>,
    /// End the backup, with what it waited for, when pg_dump writes nothing for this long:
    /// 90s, 20m, 1h (default: 10 minutes).
    #[arg(long, value_name = "DURATION")]
    pub stall_after: Option<String>,
    /// End the backup when it has run this long: 30m, 2h (default: no limit).
    #[arg(long, value_name = "DURATION")]
    pub time_limit: Option<String>,
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
    /// Only this schedule's backups (name or id).
    #[arg(long)]
    pub schedule: Option<String>,
    /// completed, partial, failed, running, cancelled or interrupted.
    #[arg(long)]
    pub status: Option<String>,
    /// Started at or after (RFC 3339, or a date: 2026-11-01).
    #[arg(long)]
    pub from: Option<String>,
    /// Started before (RFC 3339, or a date).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
    /// Under each server set, a line per part (the globals, each database).
    #[arg(long)]
    pub parts: bool,
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
    /// Remove a connection and its keyring entry and schedules; its backups stay listed under
    /// its name (--delete-backups: delete them, files included, first).
    Remove(ConnectionRemoveArgs),
    /// List the entries of ~/.pgpass (PGPASSFILE), without their passwords.
    Pgpass(JsonArg),
    /// A whole-server connection: the server's databases and which a run would take now.
    Databases(ConnectionTestArgs),
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
pub struct ConnectionRemoveArgs {
    /// The connection's name or id.
    pub connection: String,
    /// Also delete its backups, their files included.
    #[arg(long)]
    pub delete_backups: bool,
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
    /// Back up every database of the server (not the templates), read at each run; --database
    /// is then the maintenance database (default postgres).
    #[arg(long, conflicts_with = "single_database")]
    pub all_databases: bool,
    /// Back up only the one --database again.
    #[arg(long)]
    pub single_database: bool,
    /// With --all-databases: only databases matching this glob (repeatable; on update the
    /// given ones replace the saved ones).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// With --all-databases: never databases matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
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
