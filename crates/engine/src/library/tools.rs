//! The client tools that read a recorded backup: pg_restore and psql of its pg_dump's major.

use std::sync::Arc;

use crate::backups::Backup;
use crate::blocking::run_blocking;
use crate::dump::local_binaries::parse_version_line;
use crate::dump::runner::Runner;
use crate::dump::tools::restore_tools;
use crate::model::{Code, Problem};
use crate::settings;
use crate::store::Store;

/// The major of the pg_dump that wrote the backup (tools at least as new read it).
pub fn dump_major(backup: &Backup) -> Result<u32, Problem> {
    backup
        .pg_dump_version
        .as_deref()
        .and_then(|v| parse_version_line(&format!("pg_dump (PostgreSQL) {v}")))
        .map(|(_, major)| major)
        .ok_or_else(|| {
            Problem::new(
                Code::UnknownDumpVersion,
                format!(
                    "Backup {} does not record which pg_dump wrote it.",
                    backup.id
                ),
                "Verify by restoring it by hand with a recent pg_restore.",
            )
        })
}

/// The pg_restore that reads `backup`: of its pg_dump's major, chosen by the engine settings.
pub async fn tools_for(store: &Arc<Store>, backup: &Backup) -> Result<Runner, Problem> {
    let major = dump_major(backup)?;
    let lookup = store.clone();
    let (policy, template) = run_blocking(move || {
        Ok((
            settings::engine(&lookup)?,
            settings::image_template(&lookup)?,
        ))
    })
    .await?;
    restore_tools(store, policy, &template, major).await
}
