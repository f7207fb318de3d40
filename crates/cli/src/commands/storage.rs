//! `dbm storage …` and `dbm backup copy|fetch`, `verify --location`: storage locations and the
//! copies of backups in them.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use dbm_engine::library::{copies, location_scan};
use dbm_engine::model::BackupId;
use dbm_engine::model::Named;
use dbm_engine::secrets::Secret;
use dbm_engine::storage::{Location, LocationInput, LocationSettings, Storage};
use dbm_engine::store::Store;
use dbm_engine::units::human_bytes as human;

use super::connection::read_stdin_line;
use super::output::print_json;
use crate::args::{
    BackupCopyArgs, BackupFetchArgs, StorageAddArgs, StorageCommand, StorageRefArgs,
    StorageRetentionArgs, StorageScanArgs,
};

pub async fn run(data_dir: &Path, command: StorageCommand) -> anyhow::Result<ExitCode> {
    let store = Arc::new(Store::open_in(data_dir)?);
    match command {
        StorageCommand::Add(args) => add(&store, args).await,
        StorageCommand::List(output) => {
            let list = Storage::new(&store).list()?;
            if output.json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("No storage locations. Add one with: dbm storage add NAME --folder PATH | --s3 … | --sftp …");
            } else {
                for location in &list {
                    println!("{}", line(location));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        StorageCommand::Show(args) => show(&store, args),
        StorageCommand::Test(args) => {
            let location = Storage::new(&store).find(&args.location)?;
            test(&store, &location, args.output.json).await
        }
        StorageCommand::Remove(args) => {
            let location = Storage::new(&store).find(&args.location)?;
            dbm_engine::schedules::Schedules::new(&store).remove_location(location.id)?;
            if args.output.json {
                print_json(&serde_json::json!({ "removed": location.id }))?;
            } else {
                println!(
                    "Removed location {} (what it holds stays there).",
                    location.name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        StorageCommand::Retention(args) => retention(store, args).await,
        StorageCommand::Scan(args) => scan(store, args).await,
    }
}

fn line(location: &Location) -> String {
    let keep = match (location.keep_last, location.keep_days) {
        (None, None) => "keeps all".to_string(),
        (last, days) => format!(
            "keeps {}{}",
            last.map(|n| format!("last {n}")).unwrap_or_default(),
            days.map(|d| format!(" {d} days")).unwrap_or_default()
        ),
    };
    format!(
        "{:>3}  {:<16} {:<6} {}  ({keep})",
        location.id.0,
        location.name,
        location.settings.kind(),
        location.settings.describe()
    )
}

fn settings_of(args: &StorageAddArgs) -> anyhow::Result<LocationSettings> {
    if let Some(folder) = &args.folder {
        let path = std::path::absolute(folder).unwrap_or_else(|_| folder.clone());
        return Ok(LocationSettings::Folder {
            path: path.display().to_string(),
        });
    }
    if args.s3 {
        return Ok(LocationSettings::S3 {
            endpoint: args.endpoint.clone().unwrap_or_default(),
            bucket: args.bucket.clone().unwrap_or_default(),
            prefix: args.prefix.clone(),
            region: args.region.clone(),
            path_style: args.path_style,
            access_key_id: args.access_key_id.clone().unwrap_or_default(),
        });
    }
    if args.sftp {
        if args.password_stdin {
            bail!("SFTP with a password is not supported: ssh runs without a prompt. Give a key with --key FILE (its public half in the server's authorized_keys)");
        }
        return Ok(LocationSettings::Sftp {
            host: args.host.clone().unwrap_or_default(),
            port: args.port,
            user: args.user.clone().unwrap_or_default(),
            key_file: args.key.as_ref().map(|k| k.display().to_string()),
            path: args.path.clone(),
        });
    }
    bail!("say where: --folder PATH, --s3 --endpoint URL --bucket B --access-key-id ID --secret-stdin, or --sftp --host H --user U [--key FILE]")
}

async fn add(store: &Arc<Store>, args: StorageAddArgs) -> anyhow::Result<ExitCode> {
    let input = LocationInput {
        name: args.name.clone(),
        settings: settings_of(&args)?,
        keep_last: args.keep_last,
        keep_days: args.keep_days,
    };
    let secret = if args.secret_stdin {
        Some(Secret::new(read_stdin_line("the secret access key")?))
    } else {
        None
    };
    let storage = Storage::new(store);
    let location = if args.no_test {
        storage.add(&input, secret.as_ref())?
    } else {
        storage
            .add_tested(&input, secret.as_ref())
            .await
            .map_err(|problem| {
                anyhow::anyhow!(
                    "{} ({}) — nothing was added; fix it, or add with --no-test\n  {}",
                    problem.message,
                    problem.code,
                    problem.fix
                )
            })?
    };
    if args.output.json {
        print_json(&location)?;
    } else {
        println!("Added {}", line(&location));
    }
    Ok(ExitCode::SUCCESS)
}

fn show(store: &Store, args: StorageRefArgs) -> anyhow::Result<ExitCode> {
    let location = Storage::new(store).find(&args.location)?;
    let copies = Storage::new(store).copies_in(location.id)?;
    if args.output.json {
        print_json(&serde_json::json!({ "location": location, "copies": copies }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", line(&location));
    if copies.is_empty() {
        println!("No copies here yet.");
    }
    for copy in &copies {
        println!(
            "  backup {:>5}  {:<8} {:>10}{}{}",
            copy.backup_id.0,
            copy.state.name(),
            copy.size_bytes
                .map(|b| human(b.max(0) as f64))
                .unwrap_or_default(),
            if copy.encrypted { "  encrypted" } else { "" },
            copy.error_message
                .as_deref()
                .map(|e| format!("  {e}"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn test(store: &Store, location: &Location, json: bool) -> anyhow::Result<ExitCode> {
    let report = Storage::new(store).test(location).await?;
    if json {
        print_json(&report)?;
    } else {
        for step in &report.steps {
            println!(
                "{:<4} {:<7} {:.2} s",
                if step.ok { "ok" } else { "FAIL" },
                step.step,
                step.seconds
            );
        }
        match &report.problem {
            None => println!("{} works: {}.", location.name, location.settings.describe()),
            Some(problem) => println!("{} ({})\n  {}", problem.message, problem.code, problem.fix),
        }
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn optional_number(
    text: &Option<String>,
    flag: &str,
    current: Option<u32>,
) -> anyhow::Result<Option<u32>> {
    match text.as_deref().map(str::trim) {
        None => Ok(current),
        Some("none") => Ok(None),
        Some(n) => match n.parse::<u32>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => bail!("{flag} \"{n}\" is not a number (or none)"),
        },
    }
}

async fn retention(store: Arc<Store>, args: StorageRetentionArgs) -> anyhow::Result<ExitCode> {
    let storage = Storage::new(&store);
    let mut location = storage.find(&args.location)?;
    if args.keep_last.is_some() || args.keep_days.is_some() {
        let last = optional_number(&args.keep_last, "--keep-last", location.keep_last)?;
        let days = optional_number(&args.keep_days, "--keep-days", location.keep_days)?;
        location = storage.set_retention(location.id, last, days)?;
    }
    let pruned = if args.apply {
        location_scan::apply_retention(store.clone(), &location).await?
    } else {
        Vec::new()
    };
    if args.output.json {
        print_json(&serde_json::json!({ "location": location, "deleted": pruned }))?;
    } else {
        println!("{}", line(&location));
        for id in &pruned {
            println!("  deleted the copy of backup {}", id.0);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn scan(store: Arc<Store>, args: StorageScanArgs) -> anyhow::Result<ExitCode> {
    let location = Storage::new(&store).find(&args.location)?;
    let found = location_scan::scan(store.clone(), &location, args.import).await?;
    if args.output.json {
        print_json(&found)?;
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        println!("No backups found in {}.", location.name);
    }
    for item in &found {
        println!(
            "{:<10} {:<20} {:<22} {}{}",
            item.status,
            item.connection_name,
            item.started_at,
            item.manifest_key,
            item.backup_id
                .map(|id| format!("  (backup {id})"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn copy_backup(store: Arc<Store>, args: BackupCopyArgs) -> anyhow::Result<ExitCode> {
    let location = Storage::new(&store).find(&args.location)?;
    let tty = std::io::stderr().is_terminal() && !args.output.json;
    let copy = copies::copy(
        store.clone(),
        BackupId(args.id),
        &location,
        args.encrypt,
        &|bytes| {
            if tty {
                eprint!("\r{} sent   ", human(bytes as f64));
            }
        },
    )
    .await?;
    if tty {
        eprintln!();
    }
    if args.output.json {
        print_json(&copy)?;
    } else {
        println!(
            "Backup {} copied to {} ({}{}).",
            args.id,
            location.name,
            copy.size_bytes
                .map(|b| human(b.max(0) as f64))
                .unwrap_or_default(),
            if copy.encrypted { ", encrypted" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn fetch_backup(store: Arc<Store>, args: BackupFetchArgs) -> anyhow::Result<ExitCode> {
    let location = Storage::new(&store).find(&args.location)?;
    let path = copies::fetch(store, BackupId(args.id), &location).await?;
    if args.output.json {
        print_json(&serde_json::json!({ "path": path }))?;
    } else {
        println!("Backup {} is back at {}.", args.id, path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--from LOCATION` of restore and verify: fetch only when the local file is gone.
pub async fn fetch_if_gone(
    store: &Arc<Store>,
    id: BackupId,
    from: &str,
    quiet: bool,
) -> anyhow::Result<()> {
    let location = Storage::new(store).find(from)?;
    let path = copies::fetch(store.clone(), id, &location).await?;
    if !quiet {
        eprintln!(
            "Backup {id} is at {} (from {}).",
            path.display(),
            location.name
        );
    }
    Ok(())
}

pub async fn verify_copy(
    store: &Arc<Store>,
    id: BackupId,
    location: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let location = Storage::new(store).find(location)?;
    let check = copies::verify_copy(store.clone(), id, &location).await?;
    if json {
        print_json(&check)?;
    } else {
        for problem in &check.problems {
            println!("FAIL {problem}");
        }
        println!(
            "The copy of backup {id} in {} {} ({} read).",
            location.name,
            if check.ok {
                "is as stored"
            } else {
                "is NOT as stored"
            },
            human(check.bytes_read as f64)
        );
    }
    Ok(if check.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
