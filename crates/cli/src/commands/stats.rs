//! `dbm stats`: counts, storage, success rates, per connection.

use std::path::Path;
use std::process::ExitCode;

use dbm_engine::library::stats::stats;
use dbm_engine::store::Store;

use super::output::print_json;
use crate::args::JsonArg;
use dbm_engine::units::human_bytes as human;

pub fn run(data_dir: &Path, output: &JsonArg) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(data_dir)?;
    let stats = stats(&store, chrono::Utc::now())?;
    if output.json {
        print_json(&stats)?;
        return Ok(ExitCode::SUCCESS);
    }
    let percent =
        |rate: Option<f64>| rate.map_or("-".to_string(), |r| format!("{:.1} %", r * 100.0));
    println!(
        "{} backups: {} completed, {} failed, {} running, {} cancelled, {} interrupted",
        stats.total,
        stats.completed,
        stats.failed,
        stats.running,
        stats.cancelled,
        stats.interrupted
    );
    if stats.sets > 0 {
        println!(
            "server sets: {} ({} partial), holding {} database backups",
            stats.sets, stats.partial, stats.set_databases
        );
    }
    println!(
        "storage: {} recorded, {} on disk",
        human(stats.recorded_bytes as f64),
        human(stats.bytes_on_disk as f64)
    );
    println!(
        "success rate: {} all time, {} last 30 days",
        percent(stats.success_rate),
        percent(stats.success_rate_30_days)
    );
    for c in &stats.connections {
        println!(
            "  {:<24} {:>5} runs {:>5} ok {:>5} failed  {:>10}  {:>7}  last ok {}  last failure {}",
            c.name,
            c.total,
            c.completed,
            c.failed,
            human(c.recorded_bytes as f64),
            percent(c.success_rate),
            c.last_success_at.as_deref().unwrap_or("-"),
            c.last_failure_at.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}
