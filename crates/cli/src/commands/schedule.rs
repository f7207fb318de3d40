//! `dbm schedule preview`: a cron pattern's next runs in its zone, before saving anything.

use std::process::ExitCode;

use anyhow::Context;
use dbm_engine::schedules::cron::CronSchedule;
use serde::Serialize;

use super::connection::print_json;
use crate::args::{ScheduleCommand, SchedulePreviewArgs};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Preview {
    pattern: String,
    timezone: String,
    description: String,
    /// RFC 3339 in the schedule's zone.
    runs: Vec<String>,
}

pub fn run(command: ScheduleCommand) -> anyhow::Result<ExitCode> {
    match command {
        ScheduleCommand::Preview(args) => preview(&args),
    }
}

fn preview(args: &SchedulePreviewArgs) -> anyhow::Result<ExitCode> {
    let schedule = CronSchedule::parse(&args.pattern, &args.tz)?;
    let from = match &args.from {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .with_context(|| {
                format!("--from \"{text}\" is not an RFC 3339 instant (e.g. 2026-03-28T00:00:00Z)")
            })?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    };
    let preview = Preview {
        pattern: schedule.pattern.clone(),
        timezone: schedule.zone.name().to_string(),
        description: schedule.describe(),
        runs: schedule
            .next_runs(from, args.count.clamp(1, 1000))
            .iter()
            .map(|run| run.with_timezone(&schedule.zone).to_rfc3339())
            .collect(),
    };
    if args.output.json {
        print_json(&preview)?;
    } else {
        println!(
            "{} ({}): {}",
            preview.pattern, preview.timezone, preview.description
        );
        for run in &preview.runs {
            println!("  {run}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
