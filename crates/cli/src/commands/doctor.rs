//! `dbm doctor`: the Dashboard's status, plus what could run pg_dump on this machine.

use std::path::Path;
use std::process::ExitCode;

use dbm_engine::model::Problem;
use dbm_engine::status::{self, DoctorReport};
use dbm_engine::store::Store;

use crate::args::DoctorArgs;

pub async fn run(data_dir: &Path, args: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(data_dir);
    let report = status::doctor(data_dir, store.as_ref()).await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(
        if report.problems().is_empty() && report.overdue().next().is_none() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

fn render(report: &DoctorReport) -> String {
    let status = &report.status;
    let mut out = format!("DB Backup Manager {}\n", status.app_version);
    line(&mut out, "Data dir", &status.data_dir);

    let database = &status.database;
    match (&database.problem, database.schema_version) {
        (Some(problem), _) => problem_lines(&mut out, "Database", problem),
        (None, version) => line(
            &mut out,
            "Database",
            &format!(
                "ok, schema {} of {} ({})",
                version.unwrap_or(0),
                database.supported_schema_version,
                database.path
            ),
        ),
    }

    let docker = &status.docker;
    match &docker.problem {
        Some(problem) => problem_lines(&mut out, "Docker", problem),
        None => line(
            &mut out,
            "Docker",
            &format!(
                "ok, Docker {} (API {})",
                docker.version.as_deref().unwrap_or("?"),
                docker.api_version.as_deref().unwrap_or("?")
            ),
        ),
    }

    match &status.keyring.problem {
        Some(problem) => problem_lines(&mut out, "Keyring", problem),
        None => line(
            &mut out,
            "Keyring",
            &format!("ok, {}", status.keyring.backend),
        ),
    }

    for (index, health) in status.health.iter().enumerate() {
        let label = if index == 0 { "Backups" } else { "" };
        let state = if health.overdue { "OVERDUE" } else { "ok" };
        line(
            &mut out,
            label,
            &format!("{state} {}: {}", health.connection_name, health.summary),
        );
        if let Some(why) = &health.not_proven {
            line(
                &mut out,
                "",
                &format!(
                    "NOT PROVEN {}: the newest backup did not restore: {why}",
                    health.connection_name
                ),
            );
        }
    }

    let images = if docker.problem.is_some() {
        "unknown (Docker is not reachable)".to_string()
    } else if report.postgres_images.is_empty() {
        format!("none matching {} on this daemon", report.image_template)
    } else {
        report
            .postgres_images
            .iter()
            .map(|image| image.reference.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    line(&mut out, "Images", &images);

    if report.local_pg_dumps.is_empty() {
        line(&mut out, "Local pg_dump", "none found");
    } else {
        for (index, binary) in report.local_pg_dumps.iter().enumerate() {
            let label = if index == 0 { "Local pg_dump" } else { "" };
            line(
                &mut out,
                label,
                &format!("{} ({})", binary.version, binary.path),
            );
        }
    }
    out
}

const LABEL_WIDTH: usize = 14;

fn line(out: &mut String, label: &str, value: &str) {
    out.push_str(&format!("{label:<LABEL_WIDTH$}{value}\n"));
}

fn problem_lines(out: &mut String, label: &str, problem: &Problem) {
    line(
        out,
        label,
        &format!("PROBLEM [{}] {}", problem.code, problem.message),
    );
    line(out, "", &format!("fix: {}", problem.fix));
}
