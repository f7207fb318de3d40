//! `dbm status`: whether each scheduled connection has a recent good backup, and whether its
//! newest proof (verify by restore on a schedule) passed. Exits 1 when one is overdue or not
//! proven, or a copy to a storage location failed, for monitoring scripts.

use std::path::Path;
use std::process::ExitCode;

use dbm_engine::health;
use dbm_engine::model::Named;
use dbm_engine::storage::CopyState;
use dbm_engine::store::Store;

use super::output::print_json;
use crate::args::JsonArg;

pub fn run(data_dir: &Path, output: &JsonArg) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(data_dir)?;
    let connections = health::check(&store, chrono::Utc::now())?;
    let overdue = connections.iter().any(|h| h.overdue);
    let not_proven = connections.iter().any(|h| h.not_proven.is_some());
    // Copies that did not make it off this computer (or were found changed or gone there).
    let copies_failing = dbm_engine::storage::Storage::new(&store).copies_in_states(&[
        CopyState::Failed,
        CopyState::Missing,
        CopyState::Altered,
    ])?;
    if output.json {
        print_json(&serde_json::json!({
            "overdue": overdue,
            "notProven": not_proven,
            "copiesFailing": copies_failing,
            "connections": connections
        }))?;
    } else if connections.is_empty() && copies_failing.is_empty() {
        println!("No schedules yet: nothing is expected. Add one with: dbm schedule add");
    } else {
        for health in &connections {
            println!(
                "{:<8} {}: {} (schedule {}{})",
                if health.overdue { "OVERDUE" } else { "ok" },
                health.connection_name,
                health.summary,
                health.schedule_name,
                match (&health.due_by, health.overdue) {
                    (Some(due), false) => format!(", overdue from {due}"),
                    _ => String::new(),
                }
            );
            if let Some(why) = &health.not_proven {
                println!(
                    "{:<8} {}: the newest backup did not restore: {why}",
                    "UNPROVEN", health.connection_name
                );
            }
        }
    }
    if !output.json {
        for copy in &copies_failing {
            println!(
                "{:<8} backup {} to {}: {}",
                "COPY",
                copy.backup_id,
                copy.location_name,
                copy.error_message.as_deref().unwrap_or(copy.state.name())
            );
        }
    }
    Ok(if overdue || not_proven || !copies_failing.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
