// Generated from Rust by src-tauri/tests/bindings.rs (UPDATE_BINDINGS=1 cargo test -p dbm-app --test bindings). Do not edit.
import { invoke } from "@tauri-apps/api/core";

/**
 * What went wrong, for code to branch on. Each variant's text is its serialised form.
 */
export type Code = "invalid_alert_after" | "invalid_backup_path" | "invalid_backup_root" | "invalid_catch_up_grace_hours" | "invalid_clean" | "invalid_compression" | "invalid_connection" | "invalid_count" | "invalid_cron" | "invalid_database" | "invalid_destination" | "invalid_engine" | "invalid_format" | "invalid_hook" | "invalid_host" | "invalid_image_template" | "invalid_jobs" | "invalid_keep_days" | "invalid_keep_last" | "invalid_name" | "invalid_options" | "invalid_pattern" | "invalid_port" | "invalid_sslmode" | "invalid_stall_after" | "invalid_time_limit" | "invalid_timezone" | "invalid_uri" | "invalid_username" | "invalid_verify_every" | "access_denied" | "connect_failed" | "connect_timeout" | "connection_busy" | "connection_name_taken" | "connection_not_found" | "connection_refused" | "database_not_found" | "host_not_found" | "pgpass_no_match" | "role_not_found" | "too_many_connections" | "wrong_password" | "tls_failed" | "tls_hostname_mismatch" | "tls_not_offered" | "tls_required" | "tls_root_certificate_invalid" | "tls_root_certificate_unreadable" | "tls_unavailable" | "server_error" | "server_starting" | "server_unsupported" | "server_version_unreadable" | "data_dir_unusable" | "database_busy" | "database_corrupt" | "database_locked" | "database_newer_schema" | "database_not_empty" | "database_open_failed" | "database_query_failed" | "store_unusable" | "docker_image_missing" | "docker_not_running" | "docker_permission_denied" | "docker_stream_error" | "docker_stream_failed" | "docker_timeout" | "docker_unreachable" | "docker_wait_failed" | "image_has_no_pg_dump" | "local_pg_dump_missing" | "no_pg_dump_available" | "pg_dump_failed" | "pg_dump_not_runnable" | "pg_dump_output_failed" | "pg_dump_too_old" | "pg_dump_wait_failed" | "pg_restore_not_runnable" | "pg_restore_too_old" | "tool_not_runnable" | "tool_wait_failed" | "unknown_dump_version" | "archive_unreadable" | "backup_stalled" | "backup_time_limit" | "databases_unlisted" | "no_databases_taken" | "backup_cancelled" | "backup_file_missing" | "backup_folder_unwritable" | "backup_has_no_file" | "backup_not_found" | "backup_path_not_ours" | "backup_path_unreadable" | "backup_rename_failed" | "backup_running" | "backup_unreadable" | "copy_failed" | "copy_mismatch" | "decompress_failed" | "delete_failed" | "disk_full" | "run_lock_failed" | "count_failed" | "restore_cancelled" | "restore_check_failed" | "restore_check_needs_docker" | "restore_failed" | "keyring_error" | "keyring_locked" | "keyring_timeout" | "keyring_unavailable" | "schedule_not_found" | "scheduler_already_running" | "scheduler_lock_failed" | "invalid_storage_name" | "invalid_storage" | "storage_not_found" | "storage_in_use" | "storage_unreachable" | "storage_tls" | "storage_credentials" | "storage_bucket_missing" | "storage_permission_denied" | "storage_full" | "storage_host_key" | "storage_failed" | "copy_not_found" | "copy_running" | "copy_object_missing" | "copy_object_altered" | "import_failed" | "key_missing" | "invalid_recipient" | "encrypt_failed" | "decrypt_failed" | "open_failed" | "app_error" | "internal" | "internal_error" | "shutting_down";

/**
 * A check that failed: what is wrong and what to do about it.
 */
export type Problem = { code: Code, message: string, fix: string, };

/**
 * The app's own database: its schema, or why it cannot be used.
 */
export type DatabaseCheck = { path: string, schemaVersion: number | null, supportedSchemaVersion: number, problem: Problem | null, };

/**
 * What the Docker daemon said when asked, or why it could not be asked.
 */
export type DockerCheck = { version: string | null, apiVersion: string | null, problem: Problem | null, };

/**
 * Whether passwords can be stored and read, and in which store.
 */
export type KeyringCheck = { backend: string, problem: Problem | null, };

/**
 * One scheduled connection's protection.
 */
export type ConnectionHealth = { connectionId: ConnectionId, connectionName: string, overdue: boolean, 
/**
 * When its last good (completed) backup finished.
 */
lastGoodAt: string | null, 
/**
 * From when it is overdue (in the past when it is).
 */
dueBy: string | null, 
/**
 * The schedule that sets `due_by`.
 */
scheduleName: string, 
/**
 * In words: "no backup for 3 days", "last good backup 2 hours ago".
 */
summary: string, 
/**
 * The newest proof (a scheduled verify by restore) passed: when it finished.
 */
provenAt: string | null, 
/**
 * The newest proof failed: why. The connection is "not proven".
 */
notProven: string | null, };

/**
 * The Dashboard's view of the system.
 */
export type SystemStatus = { appVersion: string, dataDir: string, database: DatabaseCheck, docker: DockerCheck, keyring: KeyringCheck, 
/**
 * Each scheduled connection's protection, overdue ones first (empty when the app's
 * database cannot be read).
 */
health: Array<ConnectionHealth>, };

/**
 * Every command rejects with this shape.
 */
export type AppError = { code: Code, message: string, };

/**
 * A saved connection's id.
 */
export type ConnectionId = number;

/**
 * How TLS is used, with libpq's names and meanings.
 */
export type SslMode = "disable" | "prefer" | "require" | "verify-ca" | "verify-full";

/**
 * What a connection backs up: its one database, or every database of its server.
 */
export type Scope = { 
/**
 * Every database that allows connections (not the templates): `database` is then the
 * maintenance database the app connects to first.
 */
allDatabases: boolean, 
/**
 * Only databases whose names match one of these glob patterns (empty: every one).
 */
include: Array<string>, 
/**
 * Never databases whose names match one of these.
 */
exclude: Array<string>, };

/**
 * One database of the server and whether a run takes it.
 */
export type DatabaseChoice = { name: string, sizeBytes: number | null, taken: boolean, 
/**
 * Why it is left out (None when taken).
 */
reason: string | null, };

/**
 * A saved connection. The password is not here: it lives in the OS keyring.
 */
export type Connection = { id: ConnectionId, name: string, host: string, port: number, database: string, username: string, sslmode: SslMode, 
/**
 * The full version the last successful test found, e.g. "16.4".
 */
serverVersion: string | null, majorVersion: number | null, isActive: boolean, 
/**
 * RFC 3339, UTC.
 */
createdAt: string, updatedAt: string, 
/**
 * Set when the connection was removed with its backups kept: they stay listed under its
 * name; it is no longer listed, tested or backed up.
 */
removedAt: string | null, 
/**
 * Its one database, or every database of its server.
 */
scope: Scope, };

/**
 * A connection's fields as the user typed them, before validation.
 */
export type ConnectionInput = { name: string, host: string, 
/**
 * Taken as text so that "abc" or 70000 get a clear message instead of a type error.
 */
port: string, database: string, username: string, sslmode: SslMode, 
/**
 * Absent: this one database.
 */
scope: Scope, };

/**
 * The password field of the connection form, as the UI sends it.
 */
export type PasswordSource = { "kind": "keep" } | { "kind": "none" } | { "kind": "typed", value: string, } | { "kind": "uri", uri: string, } | { "kind": "pgpass" };

/**
 * A server's version, e.g. 16.4 → { version: "16.4", number: 160004, major: 16 }.
 */
export type ServerVersion = { version: string, number: number, major: number, };

/**
 * A pasted URI, as form fields. The password stays out of the answer: save with
 * `{ kind: "uri", uri }` to take it from the URI.
 */
export type UriImport = { input: ConnectionInput, hasPassword: boolean, };

/**
 * One line of the file, without its password (which is read only when it is used).
 */
export type PgpassEntry = { host: string, port: string, database: string, username: string, };

/**
 * A backup run's id.
 */
export type BackupId = number;

/**
 * What started a backup run.
 */
export type Trigger = "schedule" | "manual" | "tray" | "catch-up";

/**
 * Where a backup run stands.
 */
export type BackupStatus = "pending" | "running" | "completed" | "partial" | "failed" | "cancelled" | "interrupted";

/**
 * Which pg_dump ran.
 */
export type RunnerKind = "docker" | "local";

/**
 * A backup file changed or removed outside the app.
 */
export type FileState = "missing" | "modified";

export type VerifyCheck = { name: string, ok: boolean, detail: string, };

export type TableCount = { 
/**
 * `schema.table`.
 */
table: string, rows: number, 
/**
 * The source's count when it was reachable.
 */
sourceRows: number | null, };

/**
 * What verifying a backup found.
 */
export type Verification = { ok: boolean, 
/**
 * Each check in order, in words ("size 1,234 bytes as recorded").
 */
checks: Array<VerifyCheck>, 
/**
 * Set when restored into a throwaway database: tables and their row counts.
 */
restoredTables: Array<TableCount> | null, seconds: number, };

/**
 * One hook called after a scheduled run, and what came of it.
 */
export type HookResult = { 
/**
 * `ping`, `on-success`, `on-failure` or `on-finish`.
 */
hook: string, 
/**
 * The URL called or the command run.
 */
target: string, ok: boolean, 
/**
 * "HTTP 200", "timed out after 10 s", "exit status 3: …".
 */
detail: string, seconds: number, };

/**
 * What a backup holds.
 */
export type BackupKind = "database" | "server";

/**
 * One database of a set.
 */
export type SetPart = { position: number, database: string, 
/**
 * Running, completed, failed or cancelled.
 */
status: BackupStatus, 
/**
 * Its archive (custom format), once completed.
 */
filePath: string | null, sizeBytes: number | null, sha256: string | null, 
/**
 * The database's size on the server when the set started.
 */
databaseSizeBytes: number | null, 
/**
 * Why it failed, in pg_dump's words.
 */
errorMessage: string | null, };

/**
 * A set's globals file.
 */
export type SetGlobals = { status: BackupStatus, filePath: string | null, sizeBytes: number | null, sha256: string | null, 
/**
 * False when the user could not read the roles' passwords (a managed service, not a
 * superuser): the roles are there, without passwords.
 */
rolePasswords: boolean, errorMessage: string | null, };

/**
 * A backup run and its file.
 */
export type Backup = { id: BackupId, connectionId: ConnectionId, 
/**
 * The connection's name now (or when it was removed).
 */
connectionName: string, 
/**
 * The connection was removed; its backups were kept.
 */
connectionRemoved: boolean, scheduleId: ScheduleId | null, trigger: Trigger, status: BackupStatus, filePath: string | null, sizeBytes: number | null, sha256: string | null, format: DumpFormat, compression: string | null, runner: RunnerKind | null, 
/**
 * The image (`postgres:16`) or binary path that ran pg_dump.
 */
runnerDetail: string | null, pgDumpVersion: string | null, serverVersion: string | null, startedAt: string, completedAt: string | null, errorMessage: string | null, 
/**
 * The last part of pg_dump's own messages.
 */
log: string | null, 
/**
 * From start to end, when it ended.
 */
durationSeconds: number | null, 
/**
 * What the last scan found when the file is not as recorded.
 */
fileState: FileState | null, verifiedAt: string | null, 
/**
 * The last verification's findings.
 */
verification: Verification | null, 
/**
 * What the dump was asked to contain (None for backups older than this record).
 */
options: DumpOptions | null, 
/**
 * Why this completed backup looks unusual against the connection's recent ones (its size,
 * its duration, a table that lost most of its rows); empty when it does not.
 */
unusual: Array<string>, 
/**
 * What its schedule's hooks answered after the run (empty: it had none).
 */
hooks: Array<HookResult>, 
/**
 * One database, or a set: a whole server's databases and globals in one folder.
 */
kind: BackupKind, 
/**
 * When the app removed the local file because copies of it are kept in storage locations
 * (restore and verify fetch it back from one of them first).
 */
localRemovedAt: string | null, 
/**
 * A set's databases, in order (empty for one database's backup).
 */
parts: Array<SetPart>, 
/**
 * A set's roles, tablespaces and settings (`pg_dumpall --globals-only`).
 */
globals: SetGlobals | null, };

/**
 * Which backups a list shows.
 */
export type BackupFilter = { connection: ConnectionId | null, schedule: ScheduleId | null, status: BackupStatus | null, 
/**
 * Started at or after this instant (RFC 3339).
 */
from: string | null, 
/**
 * Started before this instant (RFC 3339).
 */
to: string | null, };

/**
 * A page of backups and how many match in all.
 */
export type BackupPage = { items: Array<Backup>, total: number, };

/**
 * What deleting a backup did.
 */
export type Deleted = { id: BackupId, 
/**
 * False when the record had no file or its file was already gone.
 */
fileRemoved: boolean, note: string | null, };

/**
 * What removing a connection would touch, for the confirmation.
 */
export type RemovalPreview = { connectionId: ConnectionId, name: string, 
/**
 * Every backup record of the connection (failed runs included).
 */
backups: number, 
/**
 * Bytes of its completed backups' files.
 */
bytes: number, };

/**
 * What removing did.
 */
export type Removed = { connectionId: ConnectionId, 
/**
 * Backups kept, listed under the removed connection's name.
 */
keptBackups: number, 
/**
 * Backups deleted, files and records.
 */
deletedBackups: number, };

/**
 * What a scan found.
 */
export type ScanReport = { checked: number, missing: Array<BackupId>, modified: Array<BackupId>, 
/**
 * Files as recorded again after having been marked.
 */
restored: Array<BackupId>, };

/**
 * What to restore where, and how.
 */
export type RestoreRequest = { backupId: BackupId, 
/**
 * The connection whose server (and credentials) receive the restore.
 */
connectionId: ConnectionId, 
/**
 * The database to restore into (default: the connection's own).
 */
database: string | null, 
/**
 * Create the database first; it must not exist.
 */
create: boolean, 
/**
 * Drop each object before recreating it (`--clean --if-exists`; archives only).
 */
clean: boolean, 
/**
 * Do not restore ownership (objects belong to the connecting user).
 */
noOwner: boolean, 
/**
 * All or nothing: one transaction.
 */
singleTransaction: boolean, 
/**
 * Restore into a database that already holds tables.
 */
allowNonEmpty: boolean, 
/**
 * Of a server set: the database whose part is restored.
 */
part?: string | null, };

export type RestoreOutcome = { database: string, created: boolean, 
/**
 * The image or binary that restored.
 */
tool: string, seconds: number, };

/**
 * Which set goes to which server, and how.
 */
export type SetRestoreRequest = { backupId: BackupId, 
/**
 * The connection whose server receives the set.
 */
connectionId: ConnectionId, 
/**
 * Create the roles the server lacks from the set's globals.
 */
globals: boolean, 
/**
 * Replace databases the server already has, and bring existing roles in line with the
 * set (never the connecting user).
 */
force: boolean, };

/**
 * What a set's restore did.
 */
export type SetRestoreOutcome = { databases: Array<RestoreOutcome>, rolesCreated: Array<string>, 
/**
 * Roles the server already had, left as they were.
 */
rolesKept: Array<string>, 
/**
 * Statements of the globals the server refused (a tablespace path it lacks, …).
 */
globalsWarnings: Array<string>, seconds: number, };

export type ConnectionStats = { connectionId: ConnectionId, name: string, total: number, completed: number, failed: number, recordedBytes: number, successRate: number | null, lastSuccessAt: string | null, lastFailureAt: string | null, };

/**
 * Success rate = completed / (completed + failed + partial + interrupted): cancelled runs were the
 * user's choice and count for neither side. None when no run ended yet.
 */
export type Stats = { total: number, completed: number, failed: number, running: number, cancelled: number, interrupted: number, 
/**
 * Server sets some of whose databases failed (counted against the success rate).
 */
partial: number, 
/**
 * Backups that are server sets, and the databases their folders hold.
 */
sets: number, setDatabases: number, 
/**
 * Sum of the completed backups' (and partial sets') recorded sizes.
 */
recordedBytes: number, 
/**
 * What their files take on disk now (missing files count 0).
 */
bytesOnDisk: number, successRate: number | null, successRate30Days: number | null, connections: Array<ConnectionStats>, };

/**
 * pg_dump's output format.
 */
export type DumpFormat = "custom" | "plain" | "tar" | "directory";

/**
 * How the dump is compressed. `Auto` picks the fastest good choice for the pg_dump at hand.
 */
export type Compression = { "method": "auto" } | { "method": "none" } | { "method": "gzip", level: number, } | { "method": "zstd", level: number, } | { "method": "lz4", level: number, };

/**
 * Everything that shapes a backup besides its connection.
 */
export type DumpOptions = { format: DumpFormat, compression: Compression, schemaOnly: boolean, dataOnly: boolean, includeSchemas: Array<string>, excludeSchemas: Array<string>, includeTables: Array<string>, excludeTables: Array<string>, 
/**
 * Parallel jobs for the directory format (default 2).
 */
jobs: number | null, };

/**
 * What a running backup reports.
 */
export type BackupEvent = { "kind": "started", backupId: BackupId, connectionId: ConnectionId, } | { "kind": "stage", backupId: BackupId, text: string, } | { "kind": "progress", backupId: BackupId, bytes: number, elapsedMs: number, bytesPerSecond: number, } | { "kind": "finished", backup: Backup, };

/**
 * What a copy to a storage location reports.
 */
export type CopyEvent = { "kind": "progress", backupId: BackupId, locationId: LocationId, bytes: number, } | { "kind": "changed", backupId: BackupId, };

/**
 * Which pg_dump runs backups.
 */
export type EnginePolicy = "auto" | "docker" | "local";

/**
 * The settings the Settings page edits, with their current values (defaults filled in).
 */
export type AppSettings = { engine: EnginePolicy, 
/**
 * `postgres:{major}` unless changed; `{major}` becomes the server's major version.
 */
imageTemplate: string, 
/**
 * Where backups are written.
 */
backupRoot: string, notifyOnFailure: boolean, notifyOnSuccess: boolean, 
/**
 * A run missed while the app was closed or asleep runs once on return when it fell due
 * within this many hours (0: never catch up).
 */
catchUpGraceHours: number, 
/**
 * How long a backup may write nothing before it is ended, explained (a schedule may set
 * its own).
 */
stallAfterSeconds: number, };

/**
 * A schedule's id.
 */
export type ScheduleId = number;

/**
 * A storage location's id.
 */
export type LocationId = number;

/**
 * What is called after each run of a schedule.
 */
export type Hooks = { 
/**
 * Called after every run, `{status}` replaced by `success` or `failure`.
 */
pingUrl?: string | null, onSuccessUrl?: string | null, onFailureUrl?: string | null, 
/**
 * Run by the shell (`sh -c`) with the run's JSON on stdin.
 */
onFinishCmd?: string | null, 
/**
 * How long each hook may take (None: `hooks::DEFAULT_TIMEOUT`).
 */
timeoutSeconds?: number | null, };

/**
 * One verification by restore the scheduler ran for a schedule.
 */
export type Proof = { id: number, scheduleId: ScheduleId, 
/**
 * The backup it restored (None once that backup is deleted).
 */
backupId: BackupId | null, startedAt: string, 
/**
 * None while it runs (or when the app stopped during it).
 */
finishedAt: string | null, ok: boolean | null, 
/**
 * Why it failed, in the words of the failed checks.
 */
error: string | null, };

/**
 * Where a schedule's backups go besides the local backup root.
 */
export type CopyPlan = { 
/**
 * Locations, in the order they are copied to (a removed one is skipped).
 */
to: Array<LocationId>, 
/**
 * Copies are encrypted with age (this installation's key and the extra recipients).
 */
encrypt: boolean, 
/**
 * False: once a backup is copied to every location, its local file goes (the record
 * stays; restore fetches it back).
 */
keepLocal: boolean, };

/**
 * A named place backups are copied to, besides the local backup root.
 */
export type Location = { id: LocationId, name: string, settings: LocationSettings, 
/**
 * Per-location retention: how many of a schedule's backups stay here (None: all).
 */
keepLast: number | null, 
/**
 * And for how many days (None: no age limit). The newest copied backup always stays.
 */
keepDays: number | null, createdAt: string, };

/**
 * Where a location is and how to reach it.
 */
export type LocationSettings = { "kind": "folder", path: string, } | { "kind": "s3", endpoint: string, bucket: string, prefix: string, region: string, pathStyle: boolean, accessKeyId: string, } | { "kind": "sftp", host: string, port: number, user: string, keyFile: string | null, path: string, };

/**
 * What `dbm storage add` and the Storage form send.
 */
export type LocationInput = { name: string, settings: LocationSettings, keepLast: number | null, keepDays: number | null, };

/**
 * How a location answered a test.
 */
export type ProbeReport = { ok: boolean, 
/**
 * `list`, `write`, `read` and `delete`, each with its outcome, in order, up to the first failure.
 */
steps: Array<ProbeStep>, problem: Problem | null, };

export type ProbeStep = { step: string, ok: boolean, seconds: number, };

/**
 * Where a backup's copy in one location stands.
 */
export type CopyState = "pending" | "copying" | "copied" | "failed" | "missing" | "altered";

/**
 * One backup's copy in one location.
 */
export type Copy = { backupId: BackupId, locationId: LocationId, locationName: string, state: CopyState, 
/**
 * The key of the manifest beside the backup's objects.
 */
manifestKey: string | null, encrypted: boolean, 
/**
 * The age recipients it was encrypted to.
 */
recipients: Array<string>, 
/**
 * Bytes stored, once copied.
 */
sizeBytes: number | null, 
/**
 * Bytes sent so far, while copying.
 */
bytesDone: number, attempts: number, errorMessage: string | null, startedAt: string | null, finishedAt: string | null, verifiedAt: string | null, 
/**
 * Found in the location by a scan, not written by this installation.
 */
imported: boolean, };

/**
 * What reading a copy back found.
 */
export type CopyCheck = { ok: boolean, state: CopyState, 
/**
 * One line per object that is not as stored; empty when ok.
 */
problems: Array<string>, bytesRead: number, };

/**
 * This installation's key as the user sees it (never the secret part).
 */
export type KeyInfo = { 
/**
 * This installation's public key (`age1…`).
 */
recipient: string, 
/**
 * Extra public keys every encrypted copy is also readable with.
 */
extraRecipients: Array<string>, 
/**
 * When the user last exported the identity; None: never (copies encrypted now could not
 * be read on another computer).
 */
exportedAt: string | null, };

/**
 * A saved schedule with what its runs left behind.
 */
export type Schedule = { id: ScheduleId, name: string, connectionId: ConnectionId, cron: string, 
/**
 * IANA zone the pattern is read in.
 */
timezone: string, 
/**
 * The pattern in plain words.
 */
description: string, isActive: boolean, format: DumpFormat, compression: Compression, keepLast: number | null, keepDays: number | null, 
/**
 * The connection is overdue after this long without a good backup (None: twice the
 * schedule's interval).
 */
alertAfterSeconds: number | null, 
/**
 * Verify the newest backup by restoring it this often (None: never).
 */
verifyEverySeconds: number | null, 
/**
 * How long a run may write nothing before it is ended (None: the setting).
 */
stallAfterSeconds: number | null, 
/**
 * How long a run may take at most (None: no limit).
 */
timeLimitSeconds: number | null, hooks: Hooks, 
/**
 * The newest proof (verify by restore on the scheduler's initiative), if any.
 */
lastProof: Proof | null, 
/**
 * The storage locations its backups are copied to.
 */
copies: CopyPlan, lastRunAt: string | null, 
/**
 * None while paused.
 */
nextRunAt: string | null, lastBackupId: BackupId | null, lastStatus: BackupStatus | null, 
/**
 * Why the last run failed, in pg_dump's words.
 */
lastError: string | null, createdAt: string, updatedAt: string, };

/**
 * A schedule as the user enters it.
 */
export type ScheduleInput = { 
/**
 * Empty: named after the connection and the pattern.
 */
name: string, connectionId: ConnectionId, cron: string, timezone: string, isActive: boolean, format: DumpFormat, compression: Compression, keepLast: number | null, keepDays: number | null, 
/**
 * After how long without a good backup the connection is overdue (None: twice the
 * schedule's interval).
 */
alertAfterSeconds?: number | null, 
/**
 * Verify the newest backup by restoring it this often (absent: weekly; null: never).
 */
verifyEverySeconds?: number | null, stallAfterSeconds?: number | null, timeLimitSeconds?: number | null, hooks: Hooks, };

/**
 * Why a due run did not start.
 */
export type MissReason = "missed" | "busy";

/**
 * A stretch of due runs that did not start.
 */
export type MissedRun = { scheduleId: ScheduleId, reason: MissReason, firstDueAt: string, lastDueAt: string, count: number, detail: string | null, recordedAt: string, };

/**
 * The next runs of a pattern, for the form's preview.
 */
export type SchedulePreview = { pattern: string, timezone: string, description: string, 
/**
 * RFC 3339 with the schedule zone's offset.
 */
runs: Array<string>, };

/**
 * Where schedules run and whether they are all paused.
 */
export type SchedulerStatus = { 
/**
 * The scheduler runs in this app.
 */
runningHere: boolean, 
/**
 * Why it does not (e.g. `dbm daemon` runs it for this data folder).
 */
note: string | null, allPaused: boolean, };

export type SchedulesEvent = { "kind": "changed" } | { "kind": "nextRunUpdated", scheduleIds: Array<ScheduleId>, } | { "kind": "missed", missed: MissedRun, };

/**
 * What retention would delete (or did).
 */
export type RetentionPlan = { scheduleId: ScheduleId, keepLast: number | null, keepDays: number | null, 
/**
 * The backups that go, newest first.
 */
delete: Array<Backup>, 
/**
 * How many completed backups stay.
 */
keep: number, };

/** Event names: `listen(EVENTS.backup, …)` receives `BackupEvent`s, `listen(EVENTS.schedules, …)` `SchedulesEvent`s, `listen(EVENTS.restore, …)` restore progress lines (strings). */
export const EVENTS = { backup: "backup", schedules: "schedules", restore: "restore", copy: "copy" } as const;

/** Every command; each rejects with an `AppError`. */
export const commands = {
  systemStatus: () => invoke<SystemStatus>("system_status"),
  connectionList: () => invoke<Array<Connection>>("connection_list"),
  connectionGet: (id: ConnectionId) => invoke<Connection>("connection_get", { id }),
  connectionCreate: (input: ConnectionInput, password: PasswordSource) => invoke<Connection>("connection_create", { input, password }),
  connectionUpdate: (id: ConnectionId, input: ConnectionInput, password: PasswordSource) => invoke<Connection>("connection_update", { id, input, password }),
  connectionDelete: (id: ConnectionId, deleteBackups: boolean) => invoke<Removed>("connection_delete", { id, deleteBackups }),
  connectionRemovalPreview: (id: ConnectionId) => invoke<RemovalPreview>("connection_removal_preview", { id }),
  connectionTest: (id: ConnectionId) => invoke<ServerVersion>("connection_test", { id }),
  connectionTestInput: (input: ConnectionInput, password: PasswordSource, id: ConnectionId | null) => invoke<ServerVersion>("connection_test_input", { input, password, id }),
  connectionDatabasesInput: (input: ConnectionInput, password: PasswordSource, id: ConnectionId | null) => invoke<Array<DatabaseChoice>>("connection_databases_input", { input, password, id }),
  connectionParseUri: (uri: string) => invoke<UriImport>("connection_parse_uri", { uri }),
  connectionPgpassEntries: () => invoke<Array<PgpassEntry>>("connection_pgpass_entries"),
  backupRun: (connectionId: ConnectionId, options: DumpOptions | null) => invoke<Backup>("backup_run", { connectionId, options }),
  backupCancel: (id: BackupId) => invoke<boolean>("backup_cancel", { id }),
  backupList: (connectionId: ConnectionId | null, limit: number | null, offset: number | null) => invoke<Array<Backup>>("backup_list", { connectionId, limit, offset }),
  backupGet: (id: BackupId) => invoke<Backup>("backup_get", { id }),
  backupSearch: (filter: BackupFilter, limit: number | null, offset: number | null) => invoke<BackupPage>("backup_search", { filter, limit, offset }),
  backupDelete: (id: BackupId) => invoke<Deleted>("backup_delete", { id }),
  backupSaveCopy: (id: BackupId, destination: string) => invoke<string>("backup_save_copy", { id, destination }),
  backupVerify: (id: BackupId, restore: boolean, on: ConnectionId | null) => invoke<Verification>("backup_verify", { id, restore, on }),
  backupScan: (hash: boolean) => invoke<ScanReport>("backup_scan", { hash }),
  backupRestore: (request: RestoreRequest) => invoke<RestoreOutcome>("backup_restore", { request }),
  backupRestoreSet: (request: SetRestoreRequest) => invoke<SetRestoreOutcome>("backup_restore_set", { request }),
  backupRestoreCancel: () => invoke<boolean>("backup_restore_cancel"),
  backupStats: () => invoke<Stats>("backup_stats"),
  retentionPreview: (scheduleId: ScheduleId) => invoke<RetentionPlan>("retention_preview", { scheduleId }),
  backupShowInFolder: (id: BackupId) => invoke<null>("backup_show_in_folder", { id }),
  storageList: () => invoke<Array<Location>>("storage_list"),
  storageAdd: (input: LocationInput, secret: string | null) => invoke<Location>("storage_add", { input, secret }),
  storageTest: (id: LocationId) => invoke<ProbeReport>("storage_test", { id }),
  storageRemove: (id: LocationId) => invoke<null>("storage_remove", { id }),
  storageSetRetention: (id: LocationId, keepLast: number | null, keepDays: number | null) => invoke<Location>("storage_set_retention", { id, keepLast, keepDays }),
  backupCopies: (id: BackupId) => invoke<Array<Copy>>("backup_copies", { id }),
  copiesNeedingAttention: () => invoke<Array<Copy>>("copies_needing_attention"),
  backupCopy: (id: BackupId, location: LocationId, encrypt: boolean) => invoke<Copy>("backup_copy", { id, location, encrypt }),
  backupVerifyCopy: (id: BackupId, location: LocationId) => invoke<CopyCheck>("backup_verify_copy", { id, location }),
  keyInfo: () => invoke<KeyInfo>("key_info"),
  keyExport: (path: string) => invoke<KeyInfo>("key_export", { path }),
  scheduleSetCopyPlan: (id: ScheduleId, plan: CopyPlan) => invoke<Schedule>("schedule_set_copy_plan", { id, plan }),
  scheduleList: () => invoke<Array<Schedule>>("schedule_list"),
  scheduleGet: (id: ScheduleId) => invoke<Schedule>("schedule_get", { id }),
  scheduleCreate: (input: ScheduleInput) => invoke<Schedule>("schedule_create", { input }),
  scheduleUpdate: (id: ScheduleId, input: ScheduleInput) => invoke<Schedule>("schedule_update", { id, input }),
  scheduleDelete: (id: ScheduleId) => invoke<null>("schedule_delete", { id }),
  schedulePause: (id: ScheduleId) => invoke<Schedule>("schedule_pause", { id }),
  scheduleResume: (id: ScheduleId) => invoke<Schedule>("schedule_resume", { id }),
  scheduleRunNow: (id: ScheduleId) => invoke<Backup>("schedule_run_now", { id }),
  scheduleMissed: (id: ScheduleId) => invoke<Array<MissedRun>>("schedule_missed", { id }),
  schedulePreview: (pattern: string, timezone: string, count: number | null) => invoke<SchedulePreview>("schedule_preview", { pattern, timezone, count }),
  schedulerStatus: () => invoke<SchedulerStatus>("scheduler_status"),
  schedulesSetPaused: (paused: boolean) => invoke<SchedulerStatus>("schedules_set_paused", { paused }),
  settingsGet: () => invoke<AppSettings>("settings_get"),
  settingsSave: (settings: AppSettings) => invoke<AppSettings>("settings_save", { settings }),
};
