//! `dbm status`: whether each scheduled connection has a recent good backup, and whether its
//! newest proof (verify by restore on a schedule) passed. Exits 1 when one is overdue or not
//! proven, for monitoring scripts.

use std::path::Path;
use std::process::ExitCode;

use dbm_engine::health;
use dbm_engine::store::Store;

use super::output::print_json;
use crate::args::JsonArg;

pub fn run(data_dir: &Path, output: &JsonArg) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(data_dir)?;
    let connections = health::check(&store, chrono::Utc::now())?;
    let overdue = connections.iter().any(|h| h.overdue);
    let not_proven = connections.iter().any(|h| h.not_proven.is_some());
    if output.json {
        print_json(&serde_json::json!({
            "overdue": overdue,
            "notProven": not_proven,
            "connections": connections
        }))?;
    } else if connections.is_empty() {
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
    Ok(if overdue || not_proven {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
