//! The UI's TypeScript types and command wrappers, generated from the Rust types.
//! `tests/bindings.rs` fails when the checked-in `ui/src/lib/bindings.ts` is stale.

use ts_rs::TS;

use dbm_engine::backups::{
    Backup, BackupFilter, BackupKind, FileState, HookResult, SetGlobals, SetPart, TableCount,
    Verification, VerifyCheck,
};
use dbm_engine::connections::pgpass::PgpassEntry;
use dbm_engine::connections::{Connection, ConnectionInput, DatabaseChoice, PasswordSource, Scope};
use dbm_engine::docker::DockerCheck;
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::health::ConnectionHealth;
use dbm_engine::library::connection_removal::{RemovalPreview, Removed};
use dbm_engine::library::copies::CopyCheck;
use dbm_engine::library::files::{Deleted, ScanReport};
use dbm_engine::library::restore::{RestoreOutcome, RestoreRequest};
use dbm_engine::library::restore_set::{SetRestoreOutcome, SetRestoreRequest};
use dbm_engine::library::stats::{ConnectionStats, Stats};
use dbm_engine::model::{
    BackupId, BackupStatus, Code, Compression, ConnectionId, DumpFormat, LocationId, Problem,
    RunnerKind, ScheduleId, SslMode, Trigger,
};
use dbm_engine::pg::ServerVersion;
use dbm_engine::schedules::retention::RetentionPlan;
use dbm_engine::schedules::{
    CopyPlan, Hooks, MissReason, MissedRun, Proof, Schedule, ScheduleInput, SchedulePreview,
};
use dbm_engine::secrets::KeyringCheck;
use dbm_engine::settings::{AppSettings, EnginePolicy};
use dbm_engine::status::{DatabaseCheck, SystemStatus};
use dbm_engine::storage::encryption::KeyInfo;
use dbm_engine::storage::{
    Copy, CopyState, Location, LocationInput, LocationSettings, ProbeReport, ProbeStep,
};

use crate::commands::backups::{BackupPage, RESTORE_EVENT};
use crate::commands::connections::UriImport;
use crate::commands::schedules::SchedulerStatus;
use crate::commands::CommandSignature;
use crate::error::AppError;
use crate::events::{
    BackupEvent, CopyEvent, SchedulesEvent, BACKUP_EVENT, COPY_EVENT, SCHEDULES_EVENT,
};

/// Where the generated file lives, from the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

/// The whole file.
pub fn typescript() -> String {
    let declarations = [
        declaration::<Code>(),
        declaration::<Problem>(),
        declaration::<DatabaseCheck>(),
        declaration::<DockerCheck>(),
        declaration::<KeyringCheck>(),
        declaration::<ConnectionHealth>(),
        declaration::<SystemStatus>(),
        declaration::<AppError>(),
        declaration::<ConnectionId>(),
        declaration::<SslMode>(),
        declaration::<Scope>(),
        declaration::<DatabaseChoice>(),
        declaration::<Connection>(),
        declaration::<ConnectionInput>(),
        declaration::<PasswordSource>(),
        declaration::<ServerVersion>(),
        declaration::<UriImport>(),
        declaration::<PgpassEntry>(),
        declaration::<BackupId>(),
        declaration::<Trigger>(),
        declaration::<BackupStatus>(),
        declaration::<RunnerKind>(),
        declaration::<FileState>(),
        declaration::<VerifyCheck>(),
        declaration::<TableCount>(),
        declaration::<Verification>(),
        declaration::<HookResult>(),
        declaration::<BackupKind>(),
        declaration::<SetPart>(),
        declaration::<SetGlobals>(),
        declaration::<Backup>(),
        declaration::<BackupFilter>(),
        declaration::<BackupPage>(),
        declaration::<Deleted>(),
        declaration::<RemovalPreview>(),
        declaration::<Removed>(),
        declaration::<ScanReport>(),
        declaration::<RestoreRequest>(),
        declaration::<RestoreOutcome>(),
        declaration::<SetRestoreRequest>(),
        declaration::<SetRestoreOutcome>(),
        declaration::<ConnectionStats>(),
        declaration::<Stats>(),
        declaration::<DumpFormat>(),
        declaration::<Compression>(),
        declaration::<DumpOptions>(),
        declaration::<BackupEvent>(),
        declaration::<CopyEvent>(),
        declaration::<EnginePolicy>(),
        declaration::<AppSettings>(),
        declaration::<ScheduleId>(),
        declaration::<LocationId>(),
        declaration::<Hooks>(),
        declaration::<Proof>(),
        declaration::<CopyPlan>(),
        declaration::<Location>(),
        declaration::<LocationSettings>(),
        declaration::<LocationInput>(),
        declaration::<ProbeReport>(),
        declaration::<ProbeStep>(),
        declaration::<CopyState>(),
        declaration::<Copy>(),
        declaration::<CopyCheck>(),
        declaration::<KeyInfo>(),
        declaration::<Schedule>(),
        declaration::<ScheduleInput>(),
        declaration::<MissReason>(),
        declaration::<MissedRun>(),
        declaration::<SchedulePreview>(),
        declaration::<SchedulerStatus>(),
        declaration::<SchedulesEvent>(),
        declaration::<RetentionPlan>(),
    ];
    let mut out = String::from(
        "// Generated from Rust by src-tauri/tests/bindings.rs \
         (UPDATE_BINDINGS=1 cargo test -p dbm-app --test bindings). Do not edit.\n\
         import { invoke } from \"@tauri-apps/api/core\";\n",
    );
    for declaration in declarations {
        out.push('\n');
        out.push_str(&declaration);
        out.push('\n');
    }
    out.push_str(&format!(
        "\n/** Event names: `listen(EVENTS.backup, …)` receives `BackupEvent`s, \
         `listen(EVENTS.schedules, …)` `SchedulesEvent`s, \
         `listen(EVENTS.restore, …)` restore progress lines (strings). */\n\
         export const EVENTS = {{ backup: \"{BACKUP_EVENT}\", schedules: \"{SCHEDULES_EVENT}\", restore: \"{RESTORE_EVENT}\", copy: \"{COPY_EVENT}\" }} as const;\n"
    ));
    out.push_str(
        "\n/** Every command; each rejects with an `AppError`. */\nexport const commands = {\n",
    );
    for command in crate::commands::signatures() {
        out.push_str(&wrapper(&command));
    }
    out.push_str("};\n");
    out
}

fn declaration<T: TS>() -> String {
    // ts-rs gives the doc comment already as a JSDoc block.
    let docs = T::docs()
        .map(|d| format!("{}\n", d.trim_end()))
        .unwrap_or_default();
    format!("{docs}export {}", T::decl())
}

/// `systemStatus: () => invoke<SystemStatus>("system_status"),`
fn wrapper(command: &CommandSignature) -> String {
    let params = command
        .args
        .iter()
        .map(|(name, ty)| format!("{}: {ty}", camel_case(name)))
        .collect::<Vec<_>>()
        .join(", ");
    let payload = if command.args.is_empty() {
        String::new()
    } else {
        let names = command
            .args
            .iter()
            .map(|(name, _)| camel_case(name))
            .collect::<Vec<_>>()
            .join(", ");
        format!(", {{ {names} }}")
    };
    format!(
        "  {}: ({params}) => invoke<{}>(\"{}\"{payload}),\n",
        camel_case(command.name),
        command.returns,
        command.name
    )
}

/// Tauri maps snake_case command arguments to camelCase keys.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_commands_with_camel_case_names_and_arguments() {
        let command = CommandSignature {
            name: "backup_run",
            args: vec![
                ("connection_id", "number".into()),
                ("format", "string".into()),
            ],
            returns: "Backup".into(),
        };
        assert_eq!(
            wrapper(&command),
            "  backupRun: (connectionId: number, format: string) => \
             invoke<Backup>(\"backup_run\", { connectionId, format }),\n"
        );
    }
}
