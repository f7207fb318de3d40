//! `dbm restore ID --to CONNECTION`: a backup into a connection's database or a new one; of a
//! server set, one of its databases (`--part`) or the whole set (`--all`).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use dbm_engine::connections::Connections;
use dbm_engine::library::restore::{restore, RestoreRequest};
use dbm_engine::library::restore_set::{restore_set, SetRestoreRequest};
use dbm_engine::model::BackupId;
use dbm_engine::store::Store;

use super::output::print_json;
use crate::args::RestoreArgs;

pub async fn run(data_dir: &Path, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let store = Arc::new(Store::open_in(data_dir)?);
    let connection = Connections::new(&store).find(&args.to)?;
    if let Some(from) = &args.from {
        super::storage::fetch_if_gone(&store, BackupId(args.id), from, args.output.json).await?;
    }
    if args.all {
        return run_set(store, connection.id, &args).await;
    }
    let request = RestoreRequest {
        backup_id: BackupId(args.id),
        connection_id: connection.id,
        database: args.database.clone(),
        create: args.create,
        clean: args.clean,
        no_owner: args.no_owner,
        single_transaction: args.single_transaction,
        allow_non_empty: args.force,
        part: args.part.clone(),
    };
    let cancel = super::cancel_on_ctrl_c("the restore");
    let quiet = args.output.json;
    let outcome = restore(
        store,
        &request,
        &|line| {
            if !quiet {
                eprintln!("{line}");
            }
        },
        &cancel,
    )
    .await?;
    if args.output.json {
        print_json(&outcome)?;
    } else {
        println!(
            "Restored backup {} into {}{} with {} in {:.1} s.",
            args.id,
            outcome.database,
            if outcome.created { " (created)" } else { "" },
            outcome.tool,
            outcome.seconds
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_set(
    store: Arc<Store>,
    connection: dbm_engine::model::ConnectionId,
    args: &RestoreArgs,
) -> anyhow::Result<ExitCode> {
    let request = SetRestoreRequest {
        backup_id: BackupId(args.id),
        connection_id: connection,
        globals: !args.no_globals,
        force: args.force,
    };
    let cancel = super::cancel_on_ctrl_c("the restore");
    let quiet = args.output.json;
    let outcome = restore_set(
        store,
        &request,
        &|line| {
            if !quiet {
                eprintln!("{line}");
            }
        },
        &cancel,
    )
    .await?;
    if args.output.json {
        print_json(&outcome)?;
    } else {
        println!(
            "Restored set {}: {} databases ({}), {} roles created{} in {:.1} s.",
            args.id,
            outcome.databases.len(),
            outcome
                .databases
                .iter()
                .map(|d| d.database.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            outcome.roles_created.len(),
            if outcome.roles_kept.is_empty() {
                String::new()
            } else {
                format!(", {} kept as they were", outcome.roles_kept.len())
            },
            outcome.seconds
        );
        for warning in &outcome.globals_warnings {
            eprintln!("dbm: the server refused a statement of the globals: {warning}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
