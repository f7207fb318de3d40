//! Choosing pg_restore and psql (as pg_dump is chosen), and reading a plain backup as SQL text:
//! what verify, restore and recovery share.

use std::path::{Path, PathBuf};

use super::runner::{self, Runner};
use crate::model::{Code, Problem};
use crate::settings;
use crate::store::Store;

/// pg_restore and psql of at least `major` (the newer of the dump's and the target server's),
/// chosen like pg_dump is; when only older tools exist, the error says so in restore's terms.
pub async fn restore_tools(
    store: &Store,
    policy: settings::EnginePolicy,
    template: &str,
    major: u32,
) -> Result<Runner, Problem> {
    runner::choose(store, policy, template, major, &|_| {})
        .await
        .map_err(|problem| match problem.code {
            Code::PgDumpTooOld | Code::LocalPgDumpMissing | Code::NoPgDumpAvailable => Problem::new(
                Code::PgRestoreTooOld,
                format!(
                    "No pg_restore of version {major} or newer is available: a backup made by \
                     pg_dump {major} (or restored into a PostgreSQL {major} server) needs one. {}",
                    problem.message
                ),
                format!(
                    "Use the image template postgres:{{major}} (it picks postgres:{major}), or install the \
                     PostgreSQL {major} client tools."
                ),
            ),
            _ => problem,
        })
}

/// A plain backup as SQL text: the file itself, or (for `.sql.zst`) a decompressed copy beside
/// it with the extension `scratch_extension`, returned second for the caller to remove.
pub async fn plain_sql(
    file: &Path,
    scratch_extension: &str,
) -> Result<(PathBuf, Option<PathBuf>), Problem> {
    if file.extension().is_none_or(|e| e != "zst") {
        return Ok((file.to_path_buf(), None));
    }
    // Beside the backup (the restore container mounts that folder), named per call: two
    // verifies of one backup at once must not share a scratch file.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let plain = file.with_extension(format!(
        "{}-{nanos}.{scratch_extension}",
        std::process::id()
    ));
    let (from, to) = (file.to_path_buf(), plain.clone());
    let done = tokio::task::spawn_blocking(move || decompress(&from, &to))
        .await
        .map_err(|e| Problem::new(Code::Internal, e.to_string(), "Try again."))?;
    if let Err(error) = done {
        let _ = std::fs::remove_file(&plain);
        return Err(Problem::new(
            Code::DecompressFailed,
            format!("The backup could not be decompressed: {error}."),
            "Check the free space beside the backup.",
        ));
    }
    Ok((plain.clone(), Some(plain)))
}

/// Decompresses into a new file only the owner can read (it is the database's contents).
fn decompress(from: &Path, to: &Path) -> std::io::Result<()> {
    let input = std::fs::File::open(from)?;
    let mut output = crate::dump::sink::create_private_file(to)?;
    zstd::stream::copy_decode(input, &mut output)
}
