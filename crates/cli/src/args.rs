//! The command line, parsed at the edge.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "dbm",
    version,
    about = "DB Backup Manager: PostgreSQL backups with the server's own pg_dump"
)]
pub struct Cli {
    /// The folder that holds the app's state (default: the platform's data dir).
    #[arg(long, global = true, env = dbm_engine::paths::DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The data dir chosen on the command line, in the environment, or the platform default.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) if !dir.as_os_str().is_empty() => Ok(dir.clone()),
            _ => dbm_engine::paths::default_data_dir().ok_or_else(|| {
                anyhow::anyhow!("no home folder to keep the app's data in: pass --data-dir DIR or set DBM_DATA_DIR")
            }),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check what backups depend on: the app's database, Docker and its postgres images,
    /// the keyring, local pg_dump binaries. Exits non-zero when something needs fixing.
    Doctor(DoctorArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}
