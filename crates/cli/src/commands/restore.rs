//! `dbm restore ID --to CONNECTION`: a backup into a connection's database or a new one.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use dbm_engine::connections::Connections;
use dbm_engine::library::restore::{restore, RestoreRequest};
use dbm_engine::model::BackupId;
use dbm_engine::store::Store;

use super::output::print_json;
use crate::args::RestoreArgs;

pub async fn run(data_dir: &Path, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let store = Arc::new(Store::open_in(data_dir)?);
    let connection = Connections::new(&store).find(&args.to)?;
    let request = RestoreRequest {
        backup_id: BackupId(args.id),
        connection_id: connection.id,
        database: args.database.clone(),
        create: args.create,
        clean: args.clean,
        no_owner: args.no_owner,
        single_transaction: args.single_transaction,
        allow_non_empty: args.force,
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
