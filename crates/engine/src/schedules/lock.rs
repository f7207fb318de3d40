//! One scheduler per data dir: whoever runs it (the app or `dbm daemon`) holds an OS file lock
//! for its lifetime, so a second one finds it taken and says who has it. The OS releases the
//! lock when the holder dies, however it dies.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::model::{Code, Problem};

pub struct SchedulerLock {
    _file: File,
}

fn lock_path(data_dir: &Path) -> PathBuf {
    data_dir.join("locks").join("scheduler.lock")
}

impl SchedulerLock {
    /// Takes the lock for `holder` (e.g. "dbm daemon"); when another process has it, the
    /// error names that process.
    pub fn acquire(data_dir: &Path, holder: &str) -> Result<SchedulerLock, Problem> {
        let path = lock_path(data_dir);
        let unusable = |error: std::io::Error| {
            Problem::new(
                Code::SchedulerLockFailed,
                format!(
                    "The scheduler's lock {} cannot be used: {error}.",
                    path.display()
                ),
                "Check that the data folder is writable.",
            )
        };
        if let Some(parent) = path.parent() {
            crate::store::create_private_dir(parent).map_err(unusable)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(unusable)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut owner = String::new();
                let _ = file.read_to_string(&mut owner);
                let owner = owner.trim();
                return Err(Problem::new(
                    Code::SchedulerAlreadyRunning,
                    format!(
                        "Schedules are already run by {} for this data folder.",
                        if owner.is_empty() { "another process" } else { owner }
                    ),
                    "Only one scheduler runs per data folder: stop the other one first, or leave the schedules to it.",
                ));
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(unusable(error)),
        }
        // Who holds it, for the message a second scheduler shows.
        let written = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(file, "{holder} (pid {})", std::process::id()));
        if let Err(error) = written {
            tracing::warn!(%error, "could not note the scheduler's holder");
        }
        Ok(SchedulerLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_name_until_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = SchedulerLock::acquire(dir.path(), "dbm daemon").unwrap();
        let refused = SchedulerLock::acquire(dir.path(), "the app").err().unwrap();
        assert_eq!(refused.code, Code::SchedulerAlreadyRunning);
        assert!(
            refused
                .message
                .contains(&format!("dbm daemon (pid {})", std::process::id())),
            "{refused}"
        );
        drop(first);
        SchedulerLock::acquire(dir.path(), "the app").unwrap();
    }
}
