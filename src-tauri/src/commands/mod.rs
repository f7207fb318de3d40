//! The commands the UI can call, one module per domain. The list below is the single place a
//! command is registered: it builds the invoke handler and the generated TypeScript wrappers.

pub mod backups;
pub mod connections;
pub mod schedules;
pub mod settings;
pub mod storage;
pub mod system;

/// One command as the UI calls it: its name, each argument's name and TypeScript type, and
/// what it answers. `#[command]` writes one beside each command from its declaration.
pub struct CommandSignature {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub returns: String,
}

/// Names each command once; its arguments and result come from its own declaration.
macro_rules! app_commands {
    ($($module:ident :: $name:ident),* $(,)?) => {
        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Each command's TypeScript signature, for the generated bindings.
        pub fn signatures() -> Vec<CommandSignature> {
            vec![$($module::$name::signature()),*]
        }
    };
}

app_commands! {
    system::system_status,
    connections::connection_list,
    connections::connection_get,
    connections::connection_create,
    connections::connection_update,
    connections::connection_delete,
    connections::connection_removal_preview,
    connections::connection_test,
    connections::connection_test_input,
    connections::connection_databases_input,
    connections::connection_parse_uri,
    connections::connection_pgpass_entries,
    backups::backup_run,
    backups::backup_cancel,
    backups::backup_list,
    backups::backup_get,
    backups::backup_search,
    backups::backup_delete,
    backups::backup_save_copy,
    backups::backup_verify,
    backups::backup_scan,
    backups::backup_restore,
    backups::backup_restore_set,
    backups::backup_restore_cancel,
    backups::backup_stats,
    backups::retention_preview,
    backups::backup_show_in_folder,
    storage::storage_list,
    storage::storage_add,
    storage::storage_test,
    storage::storage_remove,
    storage::storage_set_retention,
    storage::backup_copies,
    storage::copies_needing_attention,
    storage::backup_copy,
    storage::backup_verify_copy,
    storage::key_info,
    storage::key_export,
    storage::schedule_set_copy_plan,
    schedules::schedule_list,
    schedules::schedule_get,
    schedules::schedule_create,
    schedules::schedule_update,
    schedules::schedule_delete,
    schedules::schedule_pause,
    schedules::schedule_resume,
    schedules::schedule_run_now,
    schedules::schedule_missed,
    schedules::schedule_preview,
    schedules::scheduler_status,
    schedules::schedules_set_paused,
    settings::settings_get,
    settings::settings_save,
}
