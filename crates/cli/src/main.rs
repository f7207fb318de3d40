//! `dbm`: DB Backup Manager for headless machines and scripts, over the same engine as the app.

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DBM_LOG")
                .unwrap_or_else(|_| "error".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("dbm: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let data_dir = cli.data_dir()?;
        match cli.command {
            Command::Doctor(args) => commands::doctor::run(&data_dir, &args).await,
            Command::Connection(command) => commands::connection::run(&data_dir, command).await,
            Command::Backup(command) => commands::backup::run(&data_dir, command).await,
            Command::Schedule(command) => commands::schedule::run(&data_dir, command).await,
            Command::Restore(args) => commands::restore::run(&data_dir, args).await,
            Command::Stats(output) => commands::stats::run(&data_dir, &output),
            Command::Status(output) => commands::status::run(&data_dir, &output),
            Command::Daemon(_) => commands::daemon::run(&data_dir).await,
            Command::Storage(command) => commands::storage::run(&data_dir, command).await,
            Command::Key(command) => commands::key::run(&data_dir, command),
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("dbm: {error:#}");
            ExitCode::FAILURE
        }
    }
}
