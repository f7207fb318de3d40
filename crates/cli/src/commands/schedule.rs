//! `dbm schedule …`: save, list, change, pause, resume, remove and run schedules; preview a
//! pattern before saving anything.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use dbm_engine::backups::Coordinator;
use dbm_engine::connections::Connections;
use dbm_engine::library::recovery;
use dbm_engine::model::Trigger;
use dbm_engine::schedules::retention;
use dbm_engine::schedules::{self, cron, Hooks, Schedule, ScheduleInput, Schedules};
use dbm_engine::store::Store;
use dbm_engine::time::human_duration;
use serde::Serialize;

use super::backup::{print_outcome, progress_line};
use super::output::print_json;
use crate::args::{
    JsonArg, ScheduleAddArgs, ScheduleCommand, ScheduleFieldArgs, SchedulePreviewArgs,
    SchedulePruneArgs, ScheduleRefArgs, ScheduleRunArgs, ScheduleUpdateArgs,
};

pub async fn run(data_dir: &Path, command: ScheduleCommand) -> anyhow::Result<ExitCode> {
    // A preview needs no saved state: it must not create a data folder.
    let store = match &command {
        ScheduleCommand::Preview(args) => return preview(args),
        _ => Arc::new(Store::open_in(data_dir)?),
    };
    let schedules = Schedules::new(&store);
    match command {
        ScheduleCommand::Add(args) => add(&store, args),
        ScheduleCommand::List(output) => list(&store, output),
        ScheduleCommand::Show(args) => show_schedule(&store, args),
        ScheduleCommand::Update(args) => update(&store, args),
        ScheduleCommand::Pause(args) => {
            let schedule = schedules.pause(schedules.find(&args.schedule)?.id)?;
            print_schedule(&schedule, args.output.json, "Paused")
        }
        ScheduleCommand::Resume(args) => {
            let schedule = schedules.resume(schedules.find(&args.schedule)?.id)?;
            print_schedule(&schedule, args.output.json, "Resumed")
        }
        ScheduleCommand::Remove(args) => remove(&store, args),
        ScheduleCommand::Run(args) => run_now(store.clone(), args).await,
        ScheduleCommand::Prune(args) => prune(&store, args),
        ScheduleCommand::Preview(args) => preview(&args),
    }
}

fn list(store: &Store, output: JsonArg) -> anyhow::Result<ExitCode> {
    let schedules = Schedules::new(store);
    let list = schedules.list()?;
    if output.json {
        print_json(&list)?;
    } else if list.is_empty() {
        println!(
            "No schedules yet. Add one with: dbm schedule add --connection NAME --cron \"30 2 * * *\""
        );
    } else {
        for schedule in &list {
            println!("{}", summary(schedule));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show_schedule(store: &Store, args: ScheduleRefArgs) -> anyhow::Result<ExitCode> {
    let schedules = Schedules::new(store);
    let schedule = schedules.find(&args.schedule)?;
    let shown = Shown {
        next_runs: next_runs(&schedule, 5),
        missed: schedules.missed(schedule.id, 20)?,
        proofs: schedules.proofs(schedule.id, 10)?,
        copy_locations: schedule
            .copies
            .to
            .iter()
            .map(|id| {
                dbm_engine::storage::Storage::new(store)
                    .get(*id)
                    .map_or_else(|_| format!("location {id} (removed)"), |l| l.name)
            })
            .collect(),
        schedule,
    };
    if args.output.json {
        print_json(&shown)?;
    } else {
        print!("{}", show(&shown));
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(store: &Store, args: ScheduleRefArgs) -> anyhow::Result<ExitCode> {
    let schedules = Schedules::new(store);
    let schedule = schedules.find(&args.schedule)?;
    schedules.delete(schedule.id)?;
    if args.output.json {
        print_json(&serde_json::json!({ "removed": schedule.id }))?;
    } else {
        println!(
            "Removed schedule {} ({}); its backups stay.",
            schedule.id, schedule.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn prune(store: &Store, args: SchedulePruneArgs) -> anyhow::Result<ExitCode> {
    let schedules = Schedules::new(store);
    let schedule = schedules.find(&args.schedule)?;
    let now = chrono::Utc::now();
    let plan = retention::preview(store, schedule.id, now)?;
    if !args.dry_run {
        retention::apply(store, schedule.id, now)?;
    }
    if args.output.json {
        print_json(&plan)?;
    } else {
        let verb = if args.dry_run {
            "would delete"
        } else {
            "deleted"
        };
        println!(
            "Retention of {} (keep last {}, keep {} days): {verb} {} backup(s), {} kept.",
            schedule.name,
            plan.keep_last.map_or("all".into(), |n| n.to_string()),
            plan.keep_days.map_or("all".into(), |n| n.to_string()),
            plan.delete.len(),
            plan.keep
        );
        for backup in &plan.delete {
            println!(
                "  {:>6}  {}  {}",
                backup.id,
                backup.started_at,
                backup.file_path.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn add(store: &Store, args: ScheduleAddArgs) -> anyhow::Result<ExitCode> {
    let connection = Connections::new(store).find(&args.connection)?;
    let fields = &args.fields;
    let cron = fields.cron.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "--cron is required: e.g. --cron \"30 2 * * *\" for 02:30 every day, or @daily"
        )
    })?;
    let input = ScheduleInput {
        name: fields.name.clone().unwrap_or_default(),
        connection_id: connection.id,
        cron,
        timezone: fields
            .tz
            .clone()
            .unwrap_or_else(|| cron::local_zone().name().to_string()),
        is_active: !args.paused,
        format: fields.format.as_deref().unwrap_or("custom").parse()?,
        compression: fields.compression.as_deref().unwrap_or("auto").parse()?,
        keep_last: retention(fields.keep_last.as_deref(), "--keep-last")?.flatten(),
        keep_days: retention(fields.keep_days.as_deref(), "--keep-days")?.flatten(),
        alert_after_seconds: alert_after(fields.alert_after.as_deref())?.flatten(),
        verify_every_seconds: duration_or_none(fields.verify_every.as_deref(), "--verify-every")?
            .unwrap_or(Some(schedules::DEFAULT_VERIFY_EVERY)),
        stall_after_seconds: duration_or_none(fields.stall_after.as_deref(), "--stall-after")?
            .flatten(),
        time_limit_seconds: duration_or_none(fields.time_limit.as_deref(), "--time-limit")?
            .flatten(),
        hooks: hooks(fields, &Hooks::default())?,
    };
    let schedules = Schedules::new(store);
    let schedule = schedules.create(&input)?;
    let plan = copy_plan(store, fields, &schedule.copies)?;
    let schedule = if plan != schedule.copies {
        match schedules.set_copy_plan(schedule.id, &plan) {
            Ok(schedule) => schedule,
            Err(problem) => {
                schedules.delete(schedule.id)?;
                return Err(problem.into());
            }
        }
    } else {
        schedule
    };
    print_schedule(&schedule, args.output.json, "Saved")
}

fn update(store: &Store, args: ScheduleUpdateArgs) -> anyhow::Result<ExitCode> {
    let schedules = Schedules::new(store);
    let current = schedules.find(&args.schedule)?;
    let fields: &ScheduleFieldArgs = &args.fields;
    let connection_id = match &args.connection {
        Some(reference) => Connections::new(store).find(reference)?.id,
        None => current.connection_id,
    };
    let input = ScheduleInput {
        name: fields.name.clone().unwrap_or_else(|| current.name.clone()),
        connection_id,
        cron: fields.cron.clone().unwrap_or_else(|| current.cron.clone()),
        timezone: fields
            .tz
            .clone()
            .unwrap_or_else(|| current.timezone.clone()),
        is_active: current.is_active,
        format: match &fields.format {
            Some(format) => format.parse()?,
            None => current.format,
        },
        compression: match &fields.compression {
            Some(compression) => compression.parse()?,
            None => current.compression.clone(),
        },
        keep_last: retention(fields.keep_last.as_deref(), "--keep-last")?
            .unwrap_or(current.keep_last),
        keep_days: retention(fields.keep_days.as_deref(), "--keep-days")?
            .unwrap_or(current.keep_days),
        alert_after_seconds: alert_after(fields.alert_after.as_deref())?
            .unwrap_or(current.alert_after_seconds),
        verify_every_seconds: duration_or_none(fields.verify_every.as_deref(), "--verify-every")?
            .unwrap_or(current.verify_every_seconds),
        stall_after_seconds: duration_or_none(fields.stall_after.as_deref(), "--stall-after")?
            .unwrap_or(current.stall_after_seconds),
        time_limit_seconds: duration_or_none(fields.time_limit.as_deref(), "--time-limit")?
            .unwrap_or(current.time_limit_seconds),
        hooks: hooks(fields, &current.hooks)?,
    };
    let plan = copy_plan(store, fields, &current.copies)?;
    let schedule = schedules.update(current.id, &input)?;
    let schedule = if plan != schedule.copies {
        schedules.set_copy_plan(schedule.id, &plan)?
    } else {
        schedule
    };
    print_schedule(&schedule, args.output.json, "Updated")
}

/// `--copy-to`, `--encrypt`, `--keep-local` over the current plan.
fn copy_plan(
    store: &Store,
    fields: &ScheduleFieldArgs,
    current: &schedules::CopyPlan,
) -> anyhow::Result<schedules::CopyPlan> {
    let yes_no = |value: &Option<String>, flag: &str, now: bool| -> anyhow::Result<bool> {
        match value.as_deref().map(str::trim) {
            None => Ok(now),
            Some("yes" | "true" | "on") => Ok(true),
            Some("no" | "false" | "off") => Ok(false),
            Some(other) => anyhow::bail!("{flag} \"{other}\" is not yes or no"),
        }
    };
    let to = if fields.copy_to.is_empty() {
        current.to.clone()
    } else if fields.copy_to.iter().any(|c| c.trim() == "none") {
        Vec::new()
    } else {
        let storage = dbm_engine::storage::Storage::new(store);
        let mut ids = Vec::new();
        for name in &fields.copy_to {
            let id = storage.find(name)?.id;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    };
    Ok(schedules::CopyPlan {
        to,
        encrypt: yes_no(&fields.encrypt, "--encrypt", current.encrypt)?,
        keep_local: yes_no(&fields.keep_local, "--keep-local", current.keep_local)?,
    })
}

/// `--alert-after`: `None` not given; `Some(None)` "none" (twice the interval); else seconds.
fn alert_after(value: Option<&str>) -> anyhow::Result<Option<Option<u32>>> {
    duration_or_none(value, "--alert-after")
}

/// A duration flag: `None` not given; `Some(None)` "none"; else its seconds (the engine checks
/// the range and says it in its words).
fn duration_or_none(value: Option<&str>, flag: &str) -> anyhow::Result<Option<Option<u32>>> {
    match value.map(str::trim) {
        None => Ok(None),
        Some(text) if text.eq_ignore_ascii_case("none") => Ok(Some(None)),
        Some(text) => match dbm_engine::time::parse_duration(text) {
            // Past u32 is past any allowed value: the engine's check refuses it.
            Some(seconds) => Ok(Some(Some(u32::try_from(seconds).unwrap_or(u32::MAX)))),
            None => anyhow::bail!(
                "{flag} \"{}\" is not a duration: use e.g. 90s, 20m, 26h, 7d, or none",
                dbm_engine::model::excerpt(text)
            ),
        },
    }
}

/// The hooks from the flags given, the others as they were ("none" removes one).
fn hooks(fields: &ScheduleFieldArgs, current: &Hooks) -> anyhow::Result<Hooks> {
    let text = |value: &Option<String>, was: &Option<String>| match value.as_deref().map(str::trim)
    {
        None => was.clone(),
        Some(v) if v.eq_ignore_ascii_case("none") || v.is_empty() => None,
        Some(v) => Some(v.to_string()),
    };
    Ok(Hooks {
        ping_url: text(&fields.ping_url, &current.ping_url),
        on_success_url: text(&fields.on_success_url, &current.on_success_url),
        on_failure_url: text(&fields.on_failure_url, &current.on_failure_url),
        on_finish_cmd: text(&fields.on_finish_cmd, &current.on_finish_cmd),
        timeout_seconds: duration_or_none(fields.hook_timeout.as_deref(), "--hook-timeout")?
            .unwrap_or(current.timeout_seconds),
    })
}

/// `None`: not given; `Some(None)`: "none" (keep all); `Some(Some(n))`: a number.
fn retention(value: Option<&str>, flag: &str) -> anyhow::Result<Option<Option<u32>>> {
    match value.map(str::trim) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("none") => Ok(Some(None)),
        Some(v) => v.parse::<u32>().map(|n| Some(Some(n))).with_context(|| {
            format!("{flag} \"{v}\" is not a whole number: give a number, or \"none\" to keep all")
        }),
    }
}

/// Runs the schedule's backup now, in the foreground; exits non-zero unless it completed.
async fn run_now(store: Arc<Store>, args: ScheduleRunArgs) -> anyhow::Result<ExitCode> {
    let schedule = Schedules::new(&store).find(&args.schedule)?;
    recovery::recover(&store).await?;
    let coordinator = Arc::new(Coordinator::default());
    let cancel = super::cancel_on_ctrl_c("the backup");
    let on_signal = coordinator.clone();
    tokio::spawn(async move {
        cancel.cancelled().await;
        on_signal.cancel_all();
    });
    let progress = progress_line(args.quiet, args.output.json);
    let backup =
        schedules::run_schedule(store, &coordinator, schedule, Trigger::Manual, progress).await?;
    print_outcome(&backup, args.quiet, args.output.json)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Shown {
    schedule: Schedule,
    /// RFC 3339 in the schedule's zone.
    next_runs: Vec<String>,
    missed: Vec<schedules::MissedRun>,
    /// The newest proofs first.
    proofs: Vec<schedules::Proof>,
    /// The names of the locations its backups are copied to.
    copy_locations: Vec<String>,
}

fn next_runs(schedule: &Schedule, count: usize) -> Vec<String> {
    if !schedule.is_active {
        return Vec::new();
    }
    schedules::preview(&schedule.cron, &schedule.timezone, count, None)
        .map(|preview| preview.runs)
        .unwrap_or_default()
}

fn print_schedule(schedule: &Schedule, json: bool, verb: &str) -> anyhow::Result<ExitCode> {
    if json {
        print_json(schedule)?;
    } else {
        println!("{verb} schedule {} ({}).", schedule.id, schedule.name);
        println!("{}", summary(schedule));
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(schedule: &Schedule) -> String {
    format!(
        "{:>4}  {:<24}  {:<16} {:<18} {}  next {}  last {}{}",
        schedule.id,
        schedule.name,
        schedule.cron,
        schedule.timezone,
        if schedule.is_active {
            "active"
        } else {
            "paused"
        },
        schedule.next_run_at.as_deref().unwrap_or("-"),
        schedule.last_run_at.as_deref().unwrap_or("-"),
        schedule
            .last_status
            .map(|s| format!(" ({})", s.as_str()))
            .unwrap_or_default()
    )
}

fn show(shown: &Shown) -> String {
    let s = &shown.schedule;
    let mut out = String::new();
    let mut line = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push_str(&format!("{label:<16}{value}\n"));
        }
    };
    line("schedule", Some(format!("{} ({})", s.id, s.name)));
    line("connection", Some(s.connection_id.to_string()));
    line("cron", Some(format!("{} ({})", s.cron, s.description)));
    line("time zone", Some(s.timezone.clone()));
    line(
        "state",
        Some(if s.is_active { "active" } else { "paused" }.into()),
    );
    line(
        "backup",
        Some(format!("{}, {}", s.format.as_str(), s.compression)),
    );
    line("keep last", s.keep_last.map(|n| n.to_string()));
    line("keep days", s.keep_days.map(|n| n.to_string()));
    line(
        "alert after",
        Some(s.alert_after_seconds.map_or_else(
            || "two missed runs".to_string(),
            |seconds| {
                format!(
                    "{} without a good backup",
                    human_duration(u64::from(seconds))
                )
            },
        )),
    );
    line("last run", s.last_run_at.clone());
    line(
        "last status",
        s.last_status.map(|st| st.as_str().to_string()),
    );
    line("last backup", s.last_backup_id.map(|b| b.to_string()));
    line("last error", s.last_error.clone());
    let during = |seconds: Option<u32>| seconds.map(|s| human_duration(u64::from(s)));
    line(
        "verify every",
        Some(during(s.verify_every_seconds).unwrap_or_else(|| "never".into())),
    );
    line("stall after", during(s.stall_after_seconds));
    line("time limit", during(s.time_limit_seconds));
    line("ping url", s.hooks.ping_url.clone());
    line("on success", s.hooks.on_success_url.clone());
    line("on failure", s.hooks.on_failure_url.clone());
    line("on finish", s.hooks.on_finish_cmd.clone());
    if !shown.copy_locations.is_empty() {
        line(
            "copies to",
            Some(format!(
                "{}{}{}",
                shown.copy_locations.join(", "),
                if s.copies.encrypt { ", encrypted" } else { "" },
                if s.copies.keep_local {
                    ""
                } else {
                    "; no local copy once copied"
                }
            )),
        );
    }
    line("hook timeout", during(s.hooks.timeout_seconds));
    for proof in &shown.proofs {
        let verdict = match (proof.ok, &proof.error) {
            (Some(true), _) => "proven".to_string(),
            (Some(false), error) => format!("NOT proven: {}", error.as_deref().unwrap_or("-")),
            (None, _) => "did not finish".to_string(),
        };
        line(
            "proof",
            Some(format!(
                "{} backup {}: {verdict}",
                proof.started_at,
                proof.backup_id.map_or("-".to_string(), |b| b.to_string())
            )),
        );
    }
    line("next run", s.next_run_at.clone());
    for run in &shown.next_runs {
        line("  then", Some(run.clone()));
    }
    for missed in &shown.missed {
        line(
            missed.reason.as_str(),
            Some(format!(
                "{}× due {} … {}{}",
                missed.count,
                missed.first_due_at,
                missed.last_due_at,
                missed
                    .detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            )),
        );
    }
    out
}

fn preview(args: &SchedulePreviewArgs) -> anyhow::Result<ExitCode> {
    let from = match &args.from {
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .with_context(|| {
                    format!(
                        "--from \"{text}\" is not an RFC 3339 instant (e.g. 2026-03-28T00:00:00Z)"
                    )
                })?
                .with_timezone(&chrono::Utc),
        ),
        None => None,
    };
    let preview = schedules::preview(&args.pattern, &args.tz, args.count, from)?;
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
