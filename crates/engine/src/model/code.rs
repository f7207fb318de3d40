//! Every error code the app can give, in one list. Serialised as snake_case text (stored
//! verifications and the UI's messages use these strings), exported to TypeScript as a union,
//! so a code renamed or removed here fails the UI's type check, not a user.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// What went wrong, for code to branch on. Each variant's text is its serialised form.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum Code {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The text it is stored and sent as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    // Input the user can correct (`invalid_<field>`: the field it belongs under).
    InvalidAlertAfter = "invalid_alert_after",
    InvalidBackupPath = "invalid_backup_path",
    InvalidBackupRoot = "invalid_backup_root",
    InvalidCatchUpGraceHours = "invalid_catch_up_grace_hours",
    InvalidClean = "invalid_clean",
    InvalidCompression = "invalid_compression",
    InvalidConnection = "invalid_connection",
    InvalidCount = "invalid_count",
    InvalidCron = "invalid_cron",
    InvalidDatabase = "invalid_database",
    InvalidDestination = "invalid_destination",
    InvalidEngine = "invalid_engine",
    InvalidFormat = "invalid_format",
    InvalidHook = "invalid_hook",
    InvalidHost = "invalid_host",
    InvalidImageTemplate = "invalid_image_template",
    InvalidJobs = "invalid_jobs",
    InvalidKeepDays = "invalid_keep_days",
    InvalidKeepLast = "invalid_keep_last",
    InvalidName = "invalid_name",
    InvalidOptions = "invalid_options",
    InvalidPattern = "invalid_pattern",
    InvalidPort = "invalid_port",
    InvalidSslmode = "invalid_sslmode",
    InvalidStallAfter = "invalid_stall_after",
    InvalidTimeLimit = "invalid_time_limit",
    InvalidTimezone = "invalid_timezone",
    InvalidUri = "invalid_uri",
    InvalidUsername = "invalid_username",
    InvalidVerifyEvery = "invalid_verify_every",
    // Reaching a PostgreSQL server and logging in.
    AccessDenied = "access_denied",
    ConnectFailed = "connect_failed",
    ConnectTimeout = "connect_timeout",
    ConnectionBusy = "connection_busy",
    ConnectionNameTaken = "connection_name_taken",
    ConnectionNotFound = "connection_not_found",
    ConnectionRefused = "connection_refused",
    DatabaseNotFound = "database_not_found",
    HostNotFound = "host_not_found",
    PgpassNoMatch = "pgpass_no_match",
    RoleNotFound = "role_not_found",
    TooManyConnections = "too_many_connections",
    WrongPassword = "wrong_password",
    // TLS to the server.
    TlsFailed = "tls_failed",
    TlsHostnameMismatch = "tls_hostname_mismatch",
    TlsNotOffered = "tls_not_offered",
    TlsRequired = "tls_required",
    TlsRootCertificateInvalid = "tls_root_certificate_invalid",
    TlsRootCertificateUnreadable = "tls_root_certificate_unreadable",
    TlsUnavailable = "tls_unavailable",
    // The server itself.
    ServerError = "server_error",
    ServerStarting = "server_starting",
    ServerUnsupported = "server_unsupported",
    ServerVersionUnreadable = "server_version_unreadable",
    // The app's own SQLite database.
    DataDirUnusable = "data_dir_unusable",
    DatabaseBusy = "database_busy",
    DatabaseCorrupt = "database_corrupt",
    DatabaseLocked = "database_locked",
    DatabaseNewerSchema = "database_newer_schema",
    DatabaseNotEmpty = "database_not_empty",
    DatabaseOpenFailed = "database_open_failed",
    DatabaseQueryFailed = "database_query_failed",
    StoreUnusable = "store_unusable",
    // The Docker daemon and containers.
    DockerImageMissing = "docker_image_missing",
    DockerNotRunning = "docker_not_running",
    DockerPermissionDenied = "docker_permission_denied",
    DockerStreamError = "docker_stream_error",
    DockerStreamFailed = "docker_stream_failed",
    DockerTimeout = "docker_timeout",
    DockerUnreachable = "docker_unreachable",
    DockerWaitFailed = "docker_wait_failed",
    ImageHasNoPgDump = "image_has_no_pg_dump",
    // pg_dump, pg_restore and psql.
    LocalPgDumpMissing = "local_pg_dump_missing",
    NoPgDumpAvailable = "no_pg_dump_available",
    PgDumpFailed = "pg_dump_failed",
    PgDumpNotRunnable = "pg_dump_not_runnable",
    PgDumpOutputFailed = "pg_dump_output_failed",
    PgDumpTooOld = "pg_dump_too_old",
    PgDumpWaitFailed = "pg_dump_wait_failed",
    PgRestoreNotRunnable = "pg_restore_not_runnable",
    PgRestoreTooOld = "pg_restore_too_old",
    ToolNotRunnable = "tool_not_runnable",
    ToolWaitFailed = "tool_wait_failed",
    UnknownDumpVersion = "unknown_dump_version",
    // Backups and their files.
    ArchiveUnreadable = "archive_unreadable",
    BackupStalled = "backup_stalled",
    BackupTimeLimit = "backup_time_limit",
    DatabasesUnlisted = "databases_unlisted",
    NoDatabasesTaken = "no_databases_taken",
    BackupCancelled = "backup_cancelled",
    BackupFileMissing = "backup_file_missing",
    BackupFolderUnwritable = "backup_folder_unwritable",
    BackupHasNoFile = "backup_has_no_file",
    BackupNotFound = "backup_not_found",
    BackupPathNotOurs = "backup_path_not_ours",
    BackupPathUnreadable = "backup_path_unreadable",
    BackupRenameFailed = "backup_rename_failed",
    BackupRunning = "backup_running",
    BackupUnreadable = "backup_unreadable",
    CopyFailed = "copy_failed",
    CopyMismatch = "copy_mismatch",
    DecompressFailed = "decompress_failed",
    DeleteFailed = "delete_failed",
    DiskFull = "disk_full",
    RunLockFailed = "run_lock_failed",
    // Restores and checks by restore.
    CountFailed = "count_failed",
    RestoreCancelled = "restore_cancelled",
    RestoreCheckFailed = "restore_check_failed",
    RestoreCheckNeedsDocker = "restore_check_needs_docker",
    RestoreFailed = "restore_failed",
    // The OS keyring.
    KeyringError = "keyring_error",
    KeyringLocked = "keyring_locked",
    KeyringTimeout = "keyring_timeout",
    KeyringUnavailable = "keyring_unavailable",
    // Schedules and the scheduler.
    ScheduleNotFound = "schedule_not_found",
    SchedulerAlreadyRunning = "scheduler_already_running",
    SchedulerLockFailed = "scheduler_lock_failed",
    // Storage locations, copies and encryption.
    InvalidStorageName = "invalid_storage_name",
    InvalidStorage = "invalid_storage",
    StorageNotFound = "storage_not_found",
    StorageInUse = "storage_in_use",
    StorageUnreachable = "storage_unreachable",
    StorageTls = "storage_tls",
    StorageCredentials = "storage_credentials",
    StorageBucketMissing = "storage_bucket_missing",
    StoragePermissionDenied = "storage_permission_denied",
    StorageFull = "storage_full",
    StorageHostKey = "storage_host_key",
    StorageFailed = "storage_failed",
    CopyNotFound = "copy_not_found",
    CopyRunning = "copy_running",
    CopyObjectMissing = "copy_object_missing",
    CopyObjectAltered = "copy_object_altered",
    ImportFailed = "import_failed",
    KeyMissing = "key_missing",
    InvalidRecipient = "invalid_recipient",
    EncryptFailed = "encrypt_failed",
    DecryptFailed = "decrypt_failed",
    // Everything else.
    OpenFailed = "open_failed",
    AppError = "app_error",
    Internal = "internal",
    InternalError = "internal_error",
    ShuttingDown = "shutting_down",
}

impl Code {
    /// A failure of TLS itself (a server without TLS may still take a plain connection).
    pub fn is_tls(self) -> bool {
        matches!(
            self,
            Code::TlsFailed
                | Code::TlsHostnameMismatch
                | Code::TlsNotOffered
                | Code::TlsRequired
                | Code::TlsRootCertificateInvalid
                | Code::TlsRootCertificateUnreadable
                | Code::TlsUnavailable
        )
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();

    /// The code with this text; none for text no version of the app wrote.
    fn from_str(text: &str) -> Result<Code, ()> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == text)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn each_code_serialises_as_its_text_and_reads_back() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} is listed twice");
            let json = serde_json::to_string(&code).expect("a code serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            assert!(code
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        assert!("no_such_code".parse::<Code>().is_err());
    }
}
