//! A failed run told in the user's terms: pg_dump's own words, a full disk, an unwritable folder.

use std::path::Path;

use crate::dump::invocation::Exit;
use crate::dump::runner::Runner;
use crate::model::{Code, Problem};

/// pg_dump's own words, with what to do.
pub(super) fn pg_dump_problem(exit: &Exit, runner: &Runner, root: &Path) -> Problem {
    let errors = error_lines(&exit.stderr);
    if exit.stderr.contains("No space left on device") {
        return backup_root_problem(root, &std::io::Error::from_raw_os_error(28));
    }
    if exit.stderr.contains("server version mismatch") {
        return Problem::new(
            Code::PgDumpTooOld,
            format!("pg_dump {} ({}) refused the server: {errors}", runner.version(), runner.detail()),
            "Use a pg_dump at least as new as the server (the image postgres:{major} for its major).",
        );
    }
    let message = if errors.is_empty() {
        format!(
            "pg_dump stopped with exit code {} and said nothing.",
            exit.exit_code
        )
    } else {
        format!("pg_dump failed (exit {}): {errors}", exit.exit_code)
    };
    Problem::new(
        Code::PgDumpFailed,
        message,
        "Read pg_dump's message above; fix what it names (connection, permissions, server), then try again.",
    )
}

/// The lines of pg_dump's stderr that carry the error, joined.
pub(super) fn error_lines(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.contains("error")
                || l.contains("detail:")
                || l.contains("FATAL")
                || l.contains("hint:")
        })
        .collect();
    if lines.is_empty() {
        stderr
            .lines()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        lines.join(" ")
    }
}

pub(super) fn backup_root_problem(root: &Path, error: &std::io::Error) -> Problem {
    if error.kind() == std::io::ErrorKind::StorageFull || error.raw_os_error() == Some(28) {
        Problem::new(
            Code::DiskFull,
            format!("The disk holding {} is full.", root.display()),
            "Free some space or choose another backup folder in Settings; the partial file was removed.",
        )
    } else {
        Problem::new(
            Code::BackupFolderUnwritable,
            format!(
                "The backup folder {} cannot be written: {error}.",
                root.display()
            ),
            "Make it writable, or choose another backup folder in Settings.",
        )
    }
}
