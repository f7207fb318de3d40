//! `dbm backup …`: run and list backups.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use dbm_engine::backups::{
    self, Backup, BackupFilter, BackupKind, BackupRequest, Backups, Progress,
};
use dbm_engine::connections::Connections;
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::library::recovery;
use dbm_engine::library::{files, verify};
use dbm_engine::model::{BackupId, BackupStatus, ConnectionId, Named, Trigger};
use dbm_engine::schedules::Schedules;
use dbm_engine::store::Store;
use dbm_engine::units::human_bytes as human;

use super::output::print_json;
use crate::args::{
    BackupCommand, BackupExportArgs, BackupListArgs, BackupRunArgs, BackupScanArgs, BackupShowArgs,
    BackupVerifyArgs,
};

pub async fn run(data_dir: &Path, command: BackupCommand) -> anyhow::Result<ExitCode> {
    let store = Arc::new(Store::open_in(data_dir)?);
    match command {
        BackupCommand::Run(args) => run_backup(store, args).await,
        BackupCommand::List(args) => list(&store, args),
        BackupCommand::Export(args) => export(&store, args),
        BackupCommand::Delete(args) => delete(&store, args),
        BackupCommand::Verify(args) => verify_backup(&store, args).await,
        BackupCommand::Scan(args) => scan(&store, args),
        BackupCommand::Show(args) => show(&store, args),
        BackupCommand::Copy(args) => super::storage::copy_backup(store, args).await,
        BackupCommand::Fetch(args) => super::storage::fetch_backup(store, args).await,
    }
}

fn list(store: &Store, args: BackupListArgs) -> anyhow::Result<ExitCode> {
    let filter = BackupFilter {
        connection: match &args.connection {
            Some(reference) => Some(Connections::new(store).find(reference)?.id),
            None => None,
        },
        schedule: match &args.schedule {
            Some(reference) => Some(Schedules::new(store).find(reference)?.id),
            None => None,
        },
        status: match &args.status {
            Some(status) => Some(BackupStatus::from_name(status.trim()).ok_or_else(|| {
                anyhow::anyhow!(
                    "--status \"{status}\" is not a status: use completed, partial, failed, running, cancelled or interrupted"
                )
            })?),
            None => None,
        },
        from: args.from.as_deref().map(|t| instant(t, "--from")).transpose()?,
        to: args.to.as_deref().map(|t| instant(t, "--to")).transpose()?,
    };
    let list = Backups::new(store).list(&filter, args.limit, args.offset)?;
    if args.output.json {
        print_json(&list)?;
    } else if list.is_empty() {
        println!("No backups yet. Run one with: dbm backup run CONNECTION");
    } else {
        for backup in &list {
            println!("{}", summary(backup));
            if args.parts {
                for line in part_lines(backup) {
                    println!("        {line}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn export(store: &Store, args: BackupExportArgs) -> anyhow::Result<ExitCode> {
    let copy = files::save_copy(store, BackupId(args.id), &args.destination)?;
    if args.output.json {
        print_json(&serde_json::json!({ "copy": copy }))?;
    } else {
        println!(
            "Saved a copy of backup {} to {} (SHA-256 checked).",
            args.id,
            copy.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn delete(store: &Store, args: BackupShowArgs) -> anyhow::Result<ExitCode> {
    let deleted = files::delete(store, BackupId(args.id))?;
    if args.output.json {
        print_json(&deleted)?;
    } else {
        println!("Deleted backup {}.", args.id);
        if let Some(note) = &deleted.note {
            println!("{note}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify_backup(store: &Arc<Store>, args: BackupVerifyArgs) -> anyhow::Result<ExitCode> {
    if let Some(location) = &args.location {
        return super::storage::verify_copy(store, BackupId(args.id), location, args.output.json)
            .await;
    }
    if let Some(from) = &args.from {
        super::storage::fetch_if_gone(store, BackupId(args.id), from, args.output.json).await?;
    }
    let verification = verify::verify(
        store.clone(),
        BackupId(args.id),
        restore_check(store, &args)?,
    )
    .await?;
    if args.output.json {
        print_json(&verification)?;
    } else {
        for check in &verification.checks {
            println!(
                "{:<4} {:<11} {}",
                if check.ok { "ok" } else { "FAIL" },
                check.name,
                check.detail
            );
        }
        for table in verification.restored_tables.iter().flatten() {
            println!(
                "     {:<40} {:>10} rows{}",
                table.table,
                table.rows,
                table
                    .source_rows
                    .map(|n| format!(" (source {n})"))
                    .unwrap_or_default()
            );
        }
        println!(
            "Backup {} {} ({:.1} s).",
            args.id,
            if verification.ok {
                "is good"
            } else {
                "FAILED verification"
            },
            verification.seconds
        );
    }
    Ok(if verification.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn scan(store: &Store, args: BackupScanArgs) -> anyhow::Result<ExitCode> {
    let report = files::scan(store, args.hash)?;
    if args.output.json {
        print_json(&report)?;
    } else {
        println!(
            "Checked {} backup files: {} missing, {} modified, {} back as recorded.",
            report.checked,
            report.missing.len(),
            report.modified.len(),
            report.restored.len()
        );
        for id in &report.missing {
            println!("  missing   backup {id}");
        }
        for id in &report.modified {
            println!("  modified  backup {id}");
        }
    }
    Ok(if report.missing.is_empty() && report.modified.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn show(store: &Store, args: BackupShowArgs) -> anyhow::Result<ExitCode> {
    let backup = Backups::new(store).get(BackupId(args.id))?;
    let copies = dbm_engine::storage::Storage::new(store).copies_of(backup.id)?;
    if args.output.json {
        let mut shown = serde_json::to_value(&backup)?;
        shown["copies"] = serde_json::to_value(&copies)?;
        print_json(&shown)?;
    } else {
        print!("{}", details(&backup));
        if backup.local_removed_at.is_some() {
            println!(
                "{:<16}removed (kept in storage locations only)",
                "local file"
            );
        }
        for copy in &copies {
            println!(
                "{:<16}{}: {}{}{}",
                "copy",
                copy.location_name,
                dbm_engine::model::Named::name(copy.state),
                if copy.encrypted { ", encrypted" } else { "" },
                copy.error_message
                    .as_deref()
                    .map(|e| format!(" — {e}"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_backup(store: Arc<Store>, args: BackupRunArgs) -> anyhow::Result<ExitCode> {
    let connection = Connections::new(&store).find(&args.connection)?;
    let options = DumpOptions {
        format: args.format.parse()?,
        compression: args.compression.parse()?,
        schema_only: args.schema_only,
        data_only: args.data_only,
        include_schemas: args.schemas,
        exclude_schemas: args.exclude_schemas,
        include_tables: args.tables,
        exclude_tables: args.exclude_tables,
        jobs: args.jobs,
    };
    let engine = args.engine.as_deref().map(str::parse).transpose()?;
    // A run a crash left behind must not stay "running", nor its partial file on disk.
    recovery::recover(&store).await?;

    let cancel = super::cancel_on_ctrl_c("the backup");
    let request = BackupRequest {
        connection: connection.id,
        options,
        trigger: Trigger::Manual,
        schedule: None,
        engine,
        stall_after: run_duration(args.stall_after.as_deref(), "--stall-after")?,
        time_limit: run_duration(args.time_limit.as_deref(), "--time-limit")?,
    };
    let backup = backups::run_backup(
        store,
        request,
        progress_line(args.quiet, args.output.json),
        cancel,
    )
    .await?;
    print_outcome(&backup, args.quiet, args.output.json)
}

/// A run's duration flag (`--stall-after 90s`, `--time-limit 2h`).
fn run_duration(value: Option<&str>, flag: &str) -> anyhow::Result<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(text) => dbm_engine::time::parse_duration(text)
            .filter(|seconds| *seconds > 0)
            .map(|seconds| Some(Duration::from_secs(seconds)))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{flag} \"{}\" is not a duration: use e.g. 90s, 20m or 1h",
                    dbm_engine::model::excerpt(text)
                )
            }),
    }
}

/// The progress line on stderr, unless quiet or printing JSON.
pub(crate) fn progress_line(quiet: bool, json: bool) -> Arc<dyn Progress> {
    Arc::new(ProgressLine {
        enabled: !quiet && !json,
        terminal: std::io::stderr().is_terminal(),
    })
}

/// Prints how a run ended; exits non-zero, with the reason on stderr, unless it completed.
pub(crate) fn print_outcome(backup: &Backup, quiet: bool, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        print_json(backup)?;
    } else {
        if !quiet && std::io::stderr().is_terminal() {
            eprintln!();
        }
        print!("{}", details(backup));
    }
    if !json {
        for reason in &backup.unusual {
            eprintln!("dbm: unusual backup: {reason}");
        }
        for hook in backup.hooks.iter().filter(|h| !h.ok) {
            eprintln!("dbm: hook {} failed: {}", hook.hook, hook.detail);
        }
    }
    Ok(match backup.status {
        BackupStatus::Completed => ExitCode::SUCCESS,
        _ => {
            if !json {
                eprintln!(
                    "dbm: {}",
                    backup
                        .error_message
                        .as_deref()
                        .unwrap_or("the backup did not complete")
                );
            }
            ExitCode::FAILURE
        }
    })
}

/// `--restore` (a throwaway container) or `--restore-on CONNECTION` (a scratch database there).
fn restore_check(
    store: &Store,
    args: &crate::args::BackupVerifyArgs,
) -> anyhow::Result<verify::RestoreCheck> {
    let on = match &args.restore_on {
        Some(reference) => Some(Connections::new(store).find(reference)?.id),
        None => None,
    };
    Ok(verify::RestoreCheck::chosen(args.restore, on))
}

/// An instant as stored (UTC, milliseconds): RFC 3339, or a date meaning its midnight UTC.
fn instant(text: &str, flag: &str) -> anyhow::Result<String> {
    let trimmed = text.trim();
    let parsed = chrono::DateTime::parse_from_rfc3339(trimmed)
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| {
            anyhow::anyhow!("{flag} \"{text}\" is not a date (2026-11-01) or an RFC 3339 instant")
        })?;
    Ok(dbm_engine::time::to_text(parsed))
}

/// One line on stderr, rewritten in place on a terminal; plain lines otherwise.
struct ProgressLine {
    enabled: bool,
    terminal: bool,
}

impl ProgressLine {
    fn show(&self, text: &str) {
        if self.terminal {
            eprint!("\r\x1b[K{text}");
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{text}");
        }
    }
}

impl Progress for ProgressLine {
    fn started(&self, backup: BackupId, connection: ConnectionId) {
        if self.enabled {
            eprintln!("Backup {backup} of connection {connection} started.");
        }
    }

    fn stage(&self, _backup: BackupId, text: &str) {
        if self.enabled {
            self.show(text);
        }
    }

    fn bytes(&self, _backup: BackupId, bytes: u64, elapsed: Duration) {
        // On a terminal every update; in a log, not more than every few seconds' worth.
        if self.enabled && (self.terminal || elapsed.as_millis() % 5000 < 250) {
            let rate = bytes as f64 / elapsed.as_secs_f64().max(0.001);
            self.show(&format!(
                "{} written, {}/s, {:.0} s",
                human(bytes as f64),
                human(rate),
                elapsed.as_secs_f64()
            ));
        }
    }
}

/// A set's parts, one line each: the globals, then each database.
fn part_lines(backup: &Backup) -> Vec<String> {
    let size = |bytes: Option<i64>| bytes.map(|b| human(b as f64)).unwrap_or_else(|| "-".into());
    let mut lines = Vec::new();
    if let Some(globals) = &backup.globals {
        lines.push(format!(
            "{:<11}  {:>10}  globals{}{}",
            globals.status.as_str(),
            size(globals.size_bytes),
            if globals.role_passwords {
                ""
            } else {
                " (without role passwords: the user may not read them)"
            },
            globals
                .error_message
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ));
    }
    for part in &backup.parts {
        lines.push(format!(
            "{:<11}  {:>10}  {}{}",
            part.status.as_str(),
            size(part.size_bytes),
            part.database,
            part.error_message
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ));
    }
    lines
}

fn summary(backup: &Backup) -> String {
    let set = match backup.kind {
        BackupKind::Server => format!(
            "  (server set: {} of {} databases)",
            backup
                .parts
                .iter()
                .filter(|p| p.status == BackupStatus::Completed)
                .count(),
            backup.parts.len()
        ),
        BackupKind::Database => String::new(),
    };
    format!(
        "{:>6}  {:<11}  {}  {:>10}  {}{}{set}",
        backup.id,
        backup.status.as_str(),
        backup.started_at,
        backup
            .size_bytes
            .map(|b| human(b as f64))
            .unwrap_or_else(|| "-".into()),
        backup.file_path.as_deref().unwrap_or("-"),
        if backup.unusual.is_empty() {
            ""
        } else {
            "  (unusual)"
        }
    )
}

pub(crate) fn details(backup: &Backup) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push_str(&format!("{label:<16}{value}\n"));
        }
    };
    line("backup", Some(backup.id.to_string()));
    line("status", Some(backup.status.as_str().to_string()));
    line("connection", Some(backup.connection_id.to_string()));
    line("trigger", Some(backup.trigger.as_str().to_string()));
    for reason in &backup.unusual {
        line("unusual", Some(reason.clone()));
    }
    for hook in &backup.hooks {
        line(
            "hook",
            Some(format!(
                "{} {}: {} ({})",
                hook.hook,
                if hook.ok { "ok" } else { "FAILED" },
                hook.detail,
                hook.target
            )),
        );
    }
    line("file", backup.file_path.clone());
    line(
        "size",
        backup
            .size_bytes
            .map(|b| format!("{} ({b} bytes)", human(b as f64))),
    );
    line("sha256", backup.sha256.clone());
    line("format", Some(backup.format.as_str().to_string()));
    line("compression", backup.compression.clone());
    line("runner", backup.runner_detail.clone());
    line("pg_dump", backup.pg_dump_version.clone());
    line("server", backup.server_version.clone());
    line("started", Some(backup.started_at.clone()));
    line("finished", backup.completed_at.clone());
    line("error", backup.error_message.clone());
    for part in part_lines(backup) {
        line("part", Some(part));
    }
    out
}
