//! The commands the UI can call, one module per domain. The list below is the single place a
//! command is registered: it builds the invoke handler and the generated TypeScript wrappers.

pub mod backups;
pub mod connections;
pub mod schedules;
pub mod settings;
pub mod system;

use crate::bindings::CommandSignature;

macro_rules! app_commands {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty;)*) => {
        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Each command's TypeScript signature, for the generated bindings.
        pub fn signatures() -> Vec<CommandSignature> {
            vec![$(CommandSignature {
                name: stringify!($name),
                args: vec![$((stringify!($arg), <$ty as ts_rs::TS>::name())),*],
                returns: <$ret as ts_rs::TS>::name(),
            }),*]
        }
    };
}

app_commands! {
    system::system_status() -> dbm_engine::status::SystemStatus;
    connections::connection_list() -> Vec<dbm_engine::connections::Connection>;
    connections::connection_get(id: dbm_engine::model::ConnectionId) -> dbm_engine::connections::Connection;
    connections::connection_create(
        input: dbm_engine::connections::ConnectionInput,
        password: dbm_engine::connections::PasswordSource
    ) -> dbm_engine::connections::Connection;
    connections::connection_update(
        id: dbm_engine::model::ConnectionId,
        input: dbm_engine::connections::ConnectionInput,
        password: dbm_engine::connections::PasswordSource
    ) -> dbm_engine::connections::Connection;
    connections::connection_delete(
        id: dbm_engine::model::ConnectionId,
        delete_backups: bool
    ) -> dbm_engine::library::connection_removal::Removed;
    connections::connection_removal_preview(
        id: dbm_engine::model::ConnectionId
    ) -> dbm_engine::library::connection_removal::RemovalPreview;
    connections::connection_test(id: dbm_engine::model::ConnectionId) -> dbm_engine::pg::ServerVersion;
    connections::connection_test_input(
        input: dbm_engine::connections::ConnectionInput,
        password: dbm_engine::connections::PasswordSource,
        id: Option<dbm_engine::model::ConnectionId>
    ) -> dbm_engine::pg::ServerVersion;
    connections::connection_parse_uri(uri: String) -> connections::UriImport;
    connections::connection_pgpass_entries() -> Vec<dbm_engine::connections::pgpass::PgpassEntry>;
    backups::backup_run(
        connection_id: dbm_engine::model::ConnectionId,
        options: Option<dbm_engine::dump::options::DumpOptions>
    ) -> dbm_engine::backups::Backup;
    backups::backup_cancel(id: dbm_engine::model::BackupId) -> bool;
    backups::backup_list(
        connection_id: Option<dbm_engine::model::ConnectionId>,
        limit: Option<u32>,
        offset: Option<u32>
    ) -> Vec<dbm_engine::backups::Backup>;
    backups::backup_get(id: dbm_engine::model::BackupId) -> dbm_engine::backups::Backup;
    backups::backup_search(
        filter: dbm_engine::backups::BackupFilter,
        limit: Option<u32>,
        offset: Option<u32>
    ) -> backups::BackupPage;
    backups::backup_delete(id: dbm_engine::model::BackupId) -> dbm_engine::library::files::Deleted;
    backups::backup_save_copy(id: dbm_engine::model::BackupId, destination: String) -> String;
    backups::backup_verify(
        id: dbm_engine::model::BackupId,
        restore: bool,
        on: Option<dbm_engine::model::ConnectionId>
    ) -> dbm_engine::backups::Verification;
    backups::backup_scan(hash: bool) -> dbm_engine::library::files::ScanReport;
    backups::backup_restore(request: dbm_engine::library::restore::RestoreRequest) -> dbm_engine::library::restore::RestoreOutcome;
    backups::backup_restore_cancel() -> bool;
    backups::backup_stats() -> dbm_engine::library::stats::Stats;
    backups::retention_preview(schedule_id: dbm_engine::model::ScheduleId) -> dbm_engine::schedules::retention::RetentionPlan;
    backups::backup_show_in_folder(id: dbm_engine::model::BackupId) -> ();
    schedules::schedule_list() -> Vec<dbm_engine::schedules::Schedule>;
    schedules::schedule_get(id: dbm_engine::model::ScheduleId) -> dbm_engine::schedules::Schedule;
    schedules::schedule_create(input: dbm_engine::schedules::ScheduleInput) -> dbm_engine::schedules::Schedule;
    schedules::schedule_update(
        id: dbm_engine::model::ScheduleId,
        input: dbm_engine::schedules::ScheduleInput
    ) -> dbm_engine::schedules::Schedule;
    schedules::schedule_delete(id: dbm_engine::model::ScheduleId) -> ();
    schedules::schedule_pause(id: dbm_engine::model::ScheduleId) -> dbm_engine::schedules::Schedule;
    schedules::schedule_resume(id: dbm_engine::model::ScheduleId) -> dbm_engine::schedules::Schedule;
    schedules::schedule_run_now(id: dbm_engine::model::ScheduleId) -> dbm_engine::backups::Backup;
    schedules::schedule_missed(id: dbm_engine::model::ScheduleId) -> Vec<dbm_engine::schedules::MissedRun>;
    schedules::schedule_preview(pattern: String, timezone: String, count: Option<u32>) -> dbm_engine::schedules::SchedulePreview;
    schedules::scheduler_status() -> schedules::SchedulerStatus;
    schedules::schedules_set_paused(paused: bool) -> schedules::SchedulerStatus;
    settings::settings_get() -> dbm_engine::settings::AppSettings;
    settings::settings_save(settings: dbm_engine::settings::AppSettings) -> dbm_engine::settings::AppSettings;
}
